namespace Perennial.AuditTrail;

/// <summary>
/// Marks ISMS data whose every create, update and delete goes into the audit trail.
/// </summary>
public interface IAudited
{
    Guid Id { get; }

    /// <summary>The organisation the record belongs to; null for installation-wide records such as accounts.</summary>
    Guid? OrganisationId { get; }
}

/// <summary>Who is making the current change: a signed-in user, a token, the command line, the scheduler.</summary>
public sealed record AuditActor(Guid? UserId, string Name)
{
    public static readonly AuditActor System = new(null, "system");
}

/// <summary>Supplies the actor for the current unit of work.</summary>
public interface IAuditActorAccessor
{
    AuditActor Current { get; }
}

/// <summary>An actor fixed for the lifetime of a scope (command line, background jobs).</summary>
public sealed class FixedAuditActorAccessor : IAuditActorAccessor
{
    public AuditActor Current { get; set; } = AuditActor.System;
}
