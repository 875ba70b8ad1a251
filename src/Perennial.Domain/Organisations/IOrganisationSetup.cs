namespace Perennial.Organisations;

/// <summary>
/// Something every new organisation starts with (for example the built-in ISO/IEC 27001 catalog).
/// Features register one; it runs in the transaction that creates the organisation.
/// </summary>
public interface IOrganisationSetup
{
    Task SetUpAsync(Guid organisationId, CancellationToken ct);
}
