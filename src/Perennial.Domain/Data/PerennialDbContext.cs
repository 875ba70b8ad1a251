using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Perennial.Accounts;
using Perennial.ApiTokens;
using Perennial.Assets;
using Perennial.AuditTrail;
using Perennial.Certification;
using Perennial.Changes;
using Perennial.Frameworks;
using Perennial.Incidents;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Scope;
using Perennial.Soa;

namespace Perennial.Data;

/// <summary>The one DbContext. Saving ISMS data appends its audit entries in the same transaction.</summary>
public sealed class PerennialDbContext(
    DbContextOptions<PerennialDbContext> options,
    TimeProvider time,
    IAuditActorAccessor actor) : IdentityUserContext<User, Guid>(options), IDataProtectionKeyContext
{
    // An arbitrary constant naming the audit trail's advisory lock on PostgreSQL.
    private const long AuditTrailLockKey = 72_700_100_001;

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<AuditTrailHead> AuditTrailHeads => Set<AuditTrailHead>();

    public DbSet<Framework> Frameworks => Set<Framework>();
    public DbSet<Control> Controls => Set<Control>();
    public DbSet<ControlDocument> ControlDocuments => Set<ControlDocument>();
    public DbSet<ControlMapping> ControlMappings => Set<ControlMapping>();
    public DbSet<ScopeVersion> ScopeVersions => Set<ScopeVersion>();
    public DbSet<CertificationCycle> CertificationCycles => Set<CertificationCycle>();
    public DbSet<ExternalAudit> ExternalAudits => Set<ExternalAudit>();
    public DbSet<AuditFinding> AuditFindings => Set<AuditFinding>();
    public DbSet<SoaVersion> SoaVersions => Set<SoaVersion>();
    public DbSet<SoaRow> SoaRows => Set<SoaRow>();
    public DbSet<RiskMethod> RiskMethods => Set<RiskMethod>();
    public DbSet<Risk> Risks => Set<Risk>();
    public DbSet<RiskAsset> RiskAssets => Set<RiskAsset>();
    public DbSet<RiskControl> RiskControls => Set<RiskControl>();
    public DbSet<RiskAction> RiskActions => Set<RiskAction>();
    public DbSet<RiskRevision> RiskRevisions => Set<RiskRevision>();
    public DbSet<RiskReview> RiskReviews => Set<RiskReview>();
    public DbSet<ReviewCampaign> ReviewCampaigns => Set<ReviewCampaign>();
    public DbSet<Asset> Assets => Set<Asset>();
    public DbSet<Change> Changes => Set<Change>();
    public DbSet<ChangeAsset> ChangeAssets => Set<ChangeAsset>();
    public DbSet<ChangeControl> ChangeControls => Set<ChangeControl>();
    public DbSet<ChangeTask> ChangeTasks => Set<ChangeTask>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookSecret> WebhookSecrets => Set<WebhookSecret>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentControl> IncidentControls => Set<IncidentControl>();
    public DbSet<IncidentEvent> IncidentEvents => Set<IncidentEvent>();
    public DbSet<IncidentRisk> IncidentRisks => Set<IncidentRisk>();
    public DbSet<Activities.Activity> Activities => Set<Activities.Activity>();
    public DbSet<Activities.ActivityControl> ActivityControls => Set<Activities.ActivityControl>();
    public DbSet<Activities.ActivityFramework> ActivityFrameworks => Set<Activities.ActivityFramework>();
    public DbSet<Activities.Occurrence> Occurrences => Set<Activities.Occurrence>();
    public DbSet<Activities.OccurrenceEvidence> OccurrenceEvidence => Set<Activities.OccurrenceEvidence>();
    public DbSet<Nonconformities.Nonconformity> Nonconformities => Set<Nonconformities.Nonconformity>();
    public DbSet<Nonconformities.NonconformityRound> NonconformityRounds => Set<Nonconformities.NonconformityRound>();
    public DbSet<Nonconformities.CorrectiveAction> CorrectiveActions => Set<Nonconformities.CorrectiveAction>();
    public DbSet<Nonconformities.NonconformityRisk> NonconformityRisks => Set<Nonconformities.NonconformityRisk>();
    public DbSet<Nonconformities.NonconformitySettings> NonconformitySettings => Set<Nonconformities.NonconformitySettings>();
    public DbSet<InternalAudits.InternalAudit> InternalAudits => Set<InternalAudits.InternalAudit>();
    public DbSet<InternalAudits.InternalAuditScopeItem> InternalAuditScopeItems => Set<InternalAudits.InternalAuditScopeItem>();
    public DbSet<InternalAudits.InternalAuditAuditor> InternalAuditAuditors => Set<InternalAudits.InternalAuditAuditor>();
    public DbSet<InternalAudits.ChecklistItem> ChecklistItems => Set<InternalAudits.ChecklistItem>();
    public DbSet<InternalAudits.ChecklistSample> ChecklistSamples => Set<InternalAudits.ChecklistSample>();
    public DbSet<InternalAudits.InternalAuditSettings> InternalAuditSettings => Set<InternalAudits.InternalAuditSettings>();
    public DbSet<Improvements.Improvement> Improvements => Set<Improvements.Improvement>();
    public DbSet<OrganisationContext.ContextEntry> ContextEntries => Set<OrganisationContext.ContextEntry>();
    public DbSet<OrganisationContext.ContextRequirement> ContextRequirements => Set<OrganisationContext.ContextRequirement>();
    public DbSet<OrganisationContext.ContextRevision> ContextRevisions => Set<OrganisationContext.ContextRevision>();
    public DbSet<Measurement.Measure> Measures => Set<Measurement.Measure>();
    public DbSet<Measurement.MeasureValue> MeasureValues => Set<Measurement.MeasureValue>();
    public DbSet<Measurement.Objective> Objectives => Set<Measurement.Objective>();
    public DbSet<ManagementReviews.ManagementReview> ManagementReviews => Set<ManagementReviews.ManagementReview>();
    public DbSet<ManagementReviews.ReviewAttendee> ReviewAttendees => Set<ManagementReviews.ReviewAttendee>();
    public DbSet<ManagementReviews.ReviewMinute> ReviewMinutes => Set<ManagementReviews.ReviewMinute>();
    public DbSet<ManagementReviews.ReviewDecision> ReviewDecisions => Set<ManagementReviews.ReviewDecision>();
    public DbSet<Readiness.ReadinessSnapshot> ReadinessSnapshots => Set<Readiness.ReadinessSnapshot>();
    public DbSet<AuditorWorkspace.AuditSample> AuditSamples => Set<AuditorWorkspace.AuditSample>();
    public DbSet<AuditorWorkspace.AuditRequest> AuditRequests => Set<AuditorWorkspace.AuditRequest>();
    public DbSet<Reminders.OutboxMessage> Outbox => Set<Reminders.OutboxMessage>();
    public DbSet<Reminders.NotificationSettings> NotificationSettings => Set<Reminders.NotificationSettings>();
    public DbSet<Feeds.CalendarFeedToken> CalendarFeedTokens => Set<Feeds.CalendarFeedToken>();
    public DbSet<Evidence.EvidenceItem> EvidenceItems => Set<Evidence.EvidenceItem>();
    public DbSet<Evidence.EvidenceItemLink> EvidenceItemLinks => Set<Evidence.EvidenceItemLink>();
    public DbSet<Evidence.Collectors.Collector> Collectors => Set<Evidence.Collectors.Collector>();
    public DbSet<Evidence.Collectors.CollectorRun> CollectorRuns => Set<Evidence.Collectors.CollectorRun>();
    public DbSet<AccessReviews.AccessReview> AccessReviews => Set<AccessReviews.AccessReview>();
    public DbSet<AccessReviews.AccessReviewEntry> AccessReviewEntries => Set<AccessReviews.AccessReviewEntry>();
    public DbSet<AccessReviews.AccessReviewAction> AccessReviewActions => Set<AccessReviews.AccessReviewAction>();
    public DbSet<Findings.Finding> Findings => Set<Findings.Finding>();
    public DbSet<Findings.FindingSettings> FindingSettings => Set<Findings.FindingSettings>();

    /// <summary>Cookie and antiforgery keys, shared by every app instance on the same database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PerennialDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        if (Database.IsSqlite())
        {
            // SQLite cannot order or compare DateTimeOffset text; instants are UTC, so store their
            // ticks: sortable, and exact to 100 ns (the binary converter would round to 0.1 ms).
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    /// <summary>Stores an instant as its UTC ticks; reads it back in UTC.</summary>
    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks,
        ticks => new DateTimeOffset(ticks, TimeSpan.Zero));

    /// <summary>
    /// Who changed which record, for a save made on behalf of several callers at once (the evidence record
    /// writer commits many requests' records together); records not named here get the scope's actor.
    /// </summary>
    internal IReadOnlyDictionary<Guid, AuditActor>? ActorsByRecord { get; set; }

    /// <summary>Acts for someone else than the scope's actor (the demo seeder completes occurrences as their owners).</summary>
    internal AuditActor? ActorOverride { get; set; }

    /// <summary>
    /// Synchronous saves are for infrastructure records only (data-protection keys); ISMS data is
    /// saved asynchronously so that it can take the audit trail's lock.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        ChangeTracker.DetectChanges();
        if (ChangeTracker.Entries<IAudited>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            throw new NotSupportedException("Use SaveChangesAsync for audited records: saving appends to the audit trail.");
        }

        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        ChangeTracker.DetectChanges();
        var entries = ChangeTracker.Entries<IAudited>()
            .Select(AuditRecorder.Describe)
            .OfType<AuditEntry>()
            .ToList();
        if (entries.Count == 0)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var ownTransaction = Database.CurrentTransaction is null
            ? await Database.BeginTransactionAsync(cancellationToken)
            : null;
        try
        {
            var head = await LockTrailHeadAsync(cancellationToken);
            var now = time.GetUtcNow();
            // PostgreSQL keeps microseconds; hash exactly what is stored.
            var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
            var current = ActorOverride ?? actor.Current;
            foreach (var entry in entries)
            {
                var who = ActorsByRecord is { } actors && actors.TryGetValue(entry.EntityId, out var recordActor) ? recordActor : current;
                entry.Sequence = head.LastSequence + 1;
                entry.At = at;
                entry.ActorUserId = who.UserId;
                entry.ActorName = who.Name;
                entry.PreviousHash = head.LastHash;
                entry.Hash = entry.ComputeHash();
                head.LastSequence = entry.Sequence;
                head.LastHash = entry.Hash;
                AuditEntries.Add(entry);
            }

            var result = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
            }

            return result;
        }
        catch
        {
            foreach (var entry in entries)
            {
                Entry(entry).State = EntityState.Detached;
            }

            var tracked = ChangeTracker.Entries<AuditTrailHead>().ToList();
            foreach (var headEntry in tracked)
            {
                headEntry.State = EntityState.Detached;
            }

            if (ownTransaction is not null)
            {
                await ownTransaction.RollbackAsync(CancellationToken.None);
            }

            throw;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Serialises a check-then-act use case (e.g. "keep one administrator") across app instances for
    /// the rest of the current transaction: an advisory lock on PostgreSQL; on SQLite the
    /// transaction already holds the database's write lock.
    /// </summary>
    public async Task LockAsync(string name, CancellationToken ct)
    {
        if (Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("LockAsync needs a transaction.");
        }

        if (Database.IsNpgsql())
        {
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({name}, 0))", ct);
        }
    }

    /// <summary>
    /// Serialises writers of the trail across app instances: an advisory lock on PostgreSQL; on
    /// SQLite the transaction itself already holds the write lock (BEGIN IMMEDIATE).
    /// </summary>
    private async Task<AuditTrailHead> LockTrailHeadAsync(CancellationToken ct)
    {
        if (Database.IsNpgsql())
        {
            await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AuditTrailLockKey})", ct);
        }

        var head = ChangeTracker.Entries<AuditTrailHead>().Select(e => e.Entity).FirstOrDefault();
        if (head is not null)
        {
            await Entry(head).ReloadAsync(ct);
            if (Entry(head).State == EntityState.Detached)
            {
                head = null;
            }
        }

        head ??= await AuditTrailHeads.SingleOrDefaultAsync(h => h.Id == AuditTrailHead.SingletonId, ct);
        if (head is null)
        {
            head = new AuditTrailHead();
            AuditTrailHeads.Add(head);
        }

        return head;
    }
}
