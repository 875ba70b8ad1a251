namespace Perennial.Evidence.Collectors;

/// <summary>Settings under <c>Perennial:Evidence:Collectors</c>, set by whoever runs the installation.</summary>
public sealed class CollectorOptions
{
    /// <summary>
    /// Programs the command collector may run, as absolute paths (e.g. /usr/bin/trivy); "*" allows any.
    /// Empty by default: an ISMS manager of one organisation must not be able to run arbitrary programs
    /// on the server unless the installation's operator said so.
    /// </summary>
    public List<string> AllowedPrograms { get; set; } = [];

    /// <summary>
    /// Let the HTTP collector reach link-local addresses (169.254.0.0/16, fe80::/10), where cloud
    /// metadata services hand out the server's own credentials. Off by default.
    /// </summary>
    public bool AllowLinkLocal { get; set; }

    public bool AllowsProgram(string program) =>
        AllowedPrograms.Any(p => p == "*" || string.Equals(p, program, StringComparison.Ordinal));
}
