using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Perennial.Common;
using Perennial.Evidence.Storage;

namespace Perennial.Evidence.Collectors;

/// <summary>
/// Runs a program with an argument list (never through a shell) and keeps what it writes to standard
/// output as the evidence: <c>pg_dump --schema-only</c>, <c>trivy image --format json …</c>, any
/// script. The output is streamed to a temporary file, never held in memory, and refused past the
/// evidence size limit. A non-zero exit fails the run with the end of standard error.
/// </summary>
public sealed class CommandCollector(EvidenceOptions options) : IEvidenceCollector
{
    public const string KindName = "command";

    /// <summary>How much of standard error a failed run keeps.</summary>
    public const int StderrTailChars = 2000;

    private static readonly string[] Known =
        ["program", "arguments", "workingDirectory", "environment", "secretEnvironmentVariable", "title", "fileName", "contentType", "kind", "report"];

    /// <summary>What the program inherits from the server: enough to run, none of the server's own settings or secrets.</summary>
    private static readonly string[] Inherited = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SYSTEMROOT", "TEMP", "TMP"];

    public string Kind => KindName;

    public string Label => "Command";

    public void Validate(JsonElement settings, string? secret) => Parse(settings, secret, checkFiles: false);

    public async Task<IReadOnlyList<CollectedEvidence>> CollectAsync(CollectorRunContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = Parse(context.Settings, context.Secret, checkFiles: true);
        var start = new ProcessStartInfo(command.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (command.WorkingDirectory is { } folder)
        {
            start.WorkingDirectory = folder;
        }

        start.Environment.Clear();
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        if (command.SecretVariable is { } secretName && context.Secret is { } secret)
        {
            start.Environment[secretName] = secret;
        }

        var output = TemporaryOutput();
        using var process = new Process { StartInfo = start };
        try
        {
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new CollectorFailedException($"{command.Program} could not be started: {e.Message}");
            }

            process.StandardInput.Close();

            // A timeout or shutdown kills the whole tree, which also ends the reads below.
            await using var kill = ct.Register(() => Kill(process));
            var stderr = ReadTailAsync(process.StandardError, ct);
            var stdout = CopyLimitedAsync(process.StandardOutput.BaseStream, output, options.MaxUploadBytes, ct);
            try
            {
                await stdout;
                await process.WaitForExitAsync(ct);
            }
            catch (Exception)
            {
                Kill(process);
                throw;
            }

            var tail = await stderr;
            if (process.ExitCode != 0)
            {
                throw new CollectorFailedException(
                    $"{Path.GetFileName(command.Program)} exited with code {process.ExitCode}." + (tail.Length == 0 ? "" : $" Standard error ends with:\n{tail}"));
            }

            output.Position = 0;
            var title = command.Title ?? $"{context.CollectorName}: {Path.GetFileName(command.Program)} output";
            return [new CollectedEvidence(title, command.FileName ?? "output.txt", command.ContentType ?? "text/plain; charset=utf-8", output, command.Kind, command.Report)];
        }
        catch
        {
            await output.DisposeAsync();
            throw;
        }
    }

    private sealed record Command(
        string Program, IReadOnlyList<string> Arguments, string? WorkingDirectory, IReadOnlyDictionary<string, string> Environment, string? SecretVariable,
        string? Title, string? FileName, string? ContentType, EvidenceKind Kind, string? Report);

    private Command Parse(JsonElement json, string? secret, bool checkFiles)
    {
        var settings = CollectorSettings.Read(json, Known);
        var program = settings.Text("program", required: true, maxLength: 1000)!.Trim();
        if (!Path.IsPathFullyQualified(program))
        {
            throw UseCaseException.Invalid("settings.program", "settings.program must be the program's absolute path, e.g. /usr/bin/trivy; no shell is used to find or run it.");
        }

        if (!options.Collectors.AllowsProgram(program))
        {
            throw UseCaseException.Invalid("settings.program",
                $"{program} is not among the programs this installation lets collectors run (setting Perennial:Evidence:Collectors:AllowedPrograms); ask its operator.");
        }

        if (checkFiles && !File.Exists(program))
        {
            throw new CollectorFailedException($"{program} does not exist on this server.");
        }

        var arguments = settings.StringList("arguments", maxItems: 200);
        var folder = settings.Text("workingDirectory", maxLength: 1000);
        if (folder is not null && !Path.IsPathFullyQualified(folder))
        {
            throw UseCaseException.Invalid("settings.workingDirectory", "settings.workingDirectory must be an absolute path.");
        }

        if (checkFiles && folder is not null && !Directory.Exists(folder))
        {
            throw new CollectorFailedException($"The working directory {folder} does not exist on this server.");
        }

        var environment = settings.StringMap("environment");
        foreach (var name in environment.Keys)
        {
            CheckVariableName(name, $"settings.environment.{name}");
        }

        var secretVariable = settings.Text("secretEnvironmentVariable", maxLength: 200);
        if (secretVariable is not null)
        {
            CheckVariableName(secretVariable, "settings.secretEnvironmentVariable");
            if (string.IsNullOrEmpty(secret))
            {
                throw UseCaseException.Invalid("secret", $"settings.secretEnvironmentVariable names {secretVariable}, but no secret is set to put in it.");
            }
        }
        else if (!string.IsNullOrEmpty(secret))
        {
            throw UseCaseException.Invalid("settings.secretEnvironmentVariable",
                "A secret is set but settings.secretEnvironmentVariable does not name the environment variable that passes it to the program.");
        }

        return new Command(
            program, arguments, folder, environment, secretVariable,
            settings.Text("title", maxLength: EvidenceItem.TitleMaxLength), settings.FileName(), settings.ContentType(), settings.EvidenceKind(), settings.Report());
    }

    private static void CheckVariableName(string name, string field)
    {
        if (name.Length is 0 or > 200 || name.Contains('=', StringComparison.Ordinal) || name.Any(char.IsControl) || name.Any(char.IsWhiteSpace))
        {
            throw UseCaseException.Invalid(field, $"'{name}' is not a usable environment variable name.");
        }
    }

    /// <summary>A temporary file deleted when the runner disposes it.</summary>
    private static FileStream TemporaryOutput() =>
        new(Path.Combine(Path.GetTempPath(), $"perennial-collector-{Guid.NewGuid():N}.out"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    private static async Task CopyLimitedAsync(Stream source, Stream target, long maxBytes, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new CollectorFailedException($"The program's output is larger than the {ContentTooLargeException.Describe(maxBytes)} evidence limit.");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        await target.FlushAsync(ct);
    }

    /// <summary>Reads standard error to its end, keeping only the last <see cref="StderrTailChars"/> characters.</summary>
    private static async Task<string> ReadTailAsync(StreamReader reader, CancellationToken ct)
    {
        var tail = new StringBuilder();
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, ct)) > 0)
            {
                tail.Append(buffer, 0, read);
                if (tail.Length > StderrTailChars * 2)
                {
                    tail.Remove(0, tail.Length - StderrTailChars);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is being abandoned; what was read so far is enough.
        }

        var text = tail.ToString();
        return (text.Length > StderrTailChars ? "…" + text[^StderrTailChars..] : text).TrimEnd();
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Could not be killed (already gone, or not ours); nothing more to do.
        }
    }
}

/// <summary>A collector's run failed for a reason worth telling the owner as it is (no stack trace needed).</summary>
public sealed class CollectorFailedException : Exception
{
    public CollectorFailedException()
    {
    }

    public CollectorFailedException(string message)
        : base(message)
    {
    }

    public CollectorFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
