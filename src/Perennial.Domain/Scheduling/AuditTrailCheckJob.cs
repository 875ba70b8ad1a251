using Microsoft.Extensions.DependencyInjection;
using Perennial.AuditTrail;

namespace Perennial.Scheduling;

/// <summary>Re-verifies the audit trail's hash chain every day, so tampering is noticed without anyone asking.</summary>
public sealed class AuditTrailCheckJob : IScheduledJob
{
    public string Name => "audit-trail-check";
    public TimeSpan Interval => TimeSpan.FromDays(1);

    public async Task<JobResult> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var result = await services.GetRequiredService<AuditTrailVerifier>().VerifyAsync(ct);
        return result.Intact ? JobResult.Ok(result.Message) : JobResult.Failed(result.Message);
    }
}
