namespace Perennial.Tests.Infrastructure;

/// <summary>
/// A test whose real component (PostgreSQL, Chromium, …) is missing skips with a message naming
/// what to install, except on CI (<c>CI=true</c>), where it fails.
/// </summary>
public static class Requirements
{
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Missing(string component, string message)
    {
        if (OnCi)
        {
            Assert.Fail($"{component} is required on CI: {message}");
        }

        Assert.Skip($"{component} missing: {message}");
        throw new InvalidOperationException("unreachable");
    }
}
