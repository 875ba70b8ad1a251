namespace Perennial.Demo;

/// <summary>A clock stopped at one instant, so demo history can be written as it would have happened.</summary>
internal sealed class DemoClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
