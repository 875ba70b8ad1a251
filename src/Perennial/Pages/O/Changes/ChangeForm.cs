using Perennial.Changes;
using Perennial.Common;

namespace Perennial.Pages.O.Changes;

/// <summary>A change's fields as the new-change and edit forms post them.</summary>
public sealed class ChangeForm
{
    // Nullable, so that a blank field is the use case's to refuse, with its own message.
    public string? Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Type { get; set; } = ChangeType.Other.ToName();
    public string? Status { get; set; }
    public string? Requester { get; set; }
    public DateOnly? PlannedOn { get; set; }
    public string? ExternalId { get; set; }
    public List<Guid> AssetIds { get; set; } = [];
    public List<Guid> ControlIds { get; set; } = [];

    /// <summary>A blank requester on a new change means the person raising it.</summary>
    public ChangeInput ToInput(ChangeStatus currentStatus, Guid? requesterUserId) =>
        new(Title ?? "", Description,
            ChangeNames.TryParseType(Type, out var type) ? type : throw UseCaseException.Invalid("type", "Choose the type of change."),
            Requester, string.IsNullOrWhiteSpace(Requester) ? requesterUserId : null, PlannedOn,
            Status is null ? currentStatus : ChangeNames.TryParseStatus(Status, out var status) ? status : throw UseCaseException.Invalid("status", "Choose a status."),
            AssetIds, ControlIds, ExternalId);

    public static ChangeForm From(ChangeDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var c = details.Change;
        return new ChangeForm
        {
            Title = c.Title,
            Description = c.Description,
            Type = c.Type.ToName(),
            Status = c.Status.ToName(),
            Requester = c.RequesterName,
            PlannedOn = c.PlannedOn,
            ExternalId = c.ExternalId,
            AssetIds = c.Assets.Select(a => a.AssetId).ToList(),
            ControlIds = c.Controls.Select(x => x.ControlId).ToList(),
        };
    }
}

/// <summary>What the change form's pickers offer.</summary>
public sealed record ChangeFormModel(ChangeForm Form, IReadOnlyList<AssetOption> Assets, IReadOnlyList<ControlOption> Controls, string IdPrefix, IReadOnlyList<ChangeStatus>? Statuses);
