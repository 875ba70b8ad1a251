using Perennial.Frameworks;
using Perennial.Soa;

namespace Perennial.Tests.Soa;

/// <summary>
/// Comparing versions whose row sets differ, as when a catalog revision adds or withdraws a
/// control between two versions.
/// </summary>
public sealed class SoaDiffTests
{
    [Fact]
    public void Rows_only_in_the_newer_version_are_added_only_in_the_older_removed_and_the_rest_compared_field_by_field()
    {
        List<SoaRowView> older = [Row("A.5.1", true, "Base of the ISMS"), Row("A.5.2", true, "Roles"), Row("A.5.3", false, "Too small to separate duties")];
        List<SoaRowView> newer = [Row("A.5.1", true, "Base of the ISMS"), Row("A.5.3", true, "We grew: duties now separated", "Hired a second admin"), Row("A.5.38", true, "New control")];

        var diff = SoaService.Diff(1, 2, older, newer);

        Assert.Equal("A.5.38", Assert.Single(diff.Added).ControlIdentifier);
        Assert.Equal("A.5.2", Assert.Single(diff.Removed).ControlIdentifier);
        var changed = Assert.Single(diff.Changed);
        Assert.Equal("A.5.3", changed.ControlIdentifier);
        Assert.Equal("Hired a second admin", changed.Reason);
        Assert.Equal(["Applicable", "Justification"], changed.Changes.Select(c => c.Field));
        Assert.Equal("No", changed.Changes[0].Before);
        Assert.Equal("Yes", changed.Changes[0].After);
    }

    [Fact]
    public void Identical_versions_have_no_changes()
    {
        List<SoaRowView> rows = [Row("A.5.1", true, "Base"), Row("A.5.2", null, null)];

        Assert.False(SoaService.Diff(1, 1, rows, rows).HasChanges);
    }

    private static SoaRowView Row(string id, bool? applicable, string? justification, string? reason = null) =>
        new(id, "", null, applicable, justification, ImplementationStatus.NotStarted, null, null, null, null, reason);
}
