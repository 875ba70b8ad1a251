using Perennial.Organisations;

namespace Perennial.Risks;

/// <summary>Every organisation starts with the default 5×5 risk method, version 1.</summary>
internal sealed class RiskMethodSetup(RiskService risks) : IOrganisationSetup
{
    public async Task SetUpAsync(Guid organisationId, CancellationToken ct) =>
        await risks.CurrentMethodAsync(organisationId, ct);
}
