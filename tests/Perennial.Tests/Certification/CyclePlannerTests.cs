using Perennial.Certification;

namespace Perennial.Tests.Certification;

public sealed class CyclePlannerTests
{
    [Theory]
    // issue date, S1 window start, S1 planned, S1 due (window end), S2 due, recertification due (expiry - 90 days)
    [InlineData("2025-06-15", "2026-03-15", "2026-05-15", "2026-06-15", "2027-06-15", "2028-03-16")]
    // Leap day: anniversaries fall on 28 February; the default expiry is the day before the third anniversary.
    [InlineData("2024-02-29", "2024-11-28", "2025-01-28", "2025-02-28", "2026-02-28", "2026-11-29")]
    // Month end: a month earlier than 31 March is the last day of February (a leap year here).
    [InlineData("2027-03-31", "2027-12-31", "2028-02-29", "2028-03-31", "2029-03-31", "2029-12-30")]
    // Month end in a short month: 31 May less one month is 30 April.
    [InlineData("2025-05-31", "2026-02-28", "2026-04-30", "2026-05-31", "2027-05-31", "2028-03-01")]
    public void A_certificate_yields_its_surveillance_and_recertification_windows(
        string issue, string s1Start, string s1Planned, string s1Due, string s2Due, string recertDue)
    {
        var issued = DateOnly.Parse(issue, System.Globalization.CultureInfo.InvariantCulture);
        var expiry = CyclePlanner.DefaultExpiry(issued);

        var plan = CyclePlanner.Plan(issued, expiry);

        var s1 = plan.Single(p => p.Kind == ExternalAuditKind.Surveillance1);
        Assert.Equal(D(s1Start), s1.WindowStart);
        Assert.Equal(D(s1Planned), s1.PlannedDate);
        Assert.Equal(D(s1Due), s1.WindowEnd);
        Assert.Equal(D(s2Due), plan.Single(p => p.Kind == ExternalAuditKind.Surveillance2).WindowEnd);
        var recert = plan.Single(p => p.Kind == ExternalAuditKind.Recertification);
        Assert.Equal(D(recertDue), recert.WindowEnd);
        Assert.True(recert.WindowEnd < expiry);
        Assert.All(plan, p => Assert.InRange(p.PlannedDate, p.WindowStart, p.WindowEnd));
    }

    [Fact]
    public void The_default_expiry_is_the_day_before_the_third_anniversary()
    {
        Assert.Equal(new DateOnly(2028, 6, 14), CyclePlanner.DefaultExpiry(new DateOnly(2025, 6, 15)));
        Assert.Equal(new DateOnly(2027, 2, 27), CyclePlanner.DefaultExpiry(new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public void A_longer_recertification_lead_time_moves_the_recertification_audit_earlier()
    {
        var issued = new DateOnly(2025, 1, 10);
        var expiry = new DateOnly(2028, 1, 9);

        var recert = CyclePlanner.Plan(issued, expiry, recertificationLeadDays: 120).Single(p => p.Kind == ExternalAuditKind.Recertification);

        Assert.Equal(expiry.AddDays(-120), recert.WindowEnd);
    }

    private static DateOnly D(string text) => DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
