namespace Perennial.Organisations;

public static class MembershipQueries
{
    /// <summary>Memberships that grant access on <paramref name="today"/>: no expiry, or not yet past it.</summary>
    public static IQueryable<Membership> ActiveOn(this IQueryable<Membership> memberships, DateOnly today) =>
        memberships.Where(m => m.ExpiresOn == null || m.ExpiresOn >= today);
}
