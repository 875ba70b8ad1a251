using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Perennial.Cli;

namespace Perennial.Tests.Cli;

/// <summary>
/// <c>perennial serve</c> run as a real process, its console read as a person or a log collector
/// would read it.
/// </summary>
public sealed partial class ServeConsoleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_demo_start_in_plain_format_reads_as_lines_of_text_and_with_protected_keys_warns_of_nothing_but_mail_being_off()
    {
        using var dir = new TempDir();
        var pfx = Path.Combine(dir.Path, "keys.pfx");
        WriteCertificate(pfx, "pfx-password");

        var output = await RunUntilAsync(
            ["serve", "--demo", "--urls", "http://127.0.0.1:0", "--data", dir.Path, "--log-format", "plain",
             $"--Perennial:DataProtection:CertificateFile={pfx}", "--Perennial:DataProtection:CertificatePassword=pfx-password"],
            lines => lines.Any(l => l.Contains("Background jobs started", StringComparison.Ordinal)) && lines.Any(l => l.Contains("password:", StringComparison.Ordinal)));

        Assert.Contains(output, l => l.StartsWith("Demo organisation ready. Open http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Trim() == "e-mail:   demo.admin@perennial.example");
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith('{'));
        Assert.Contains(output, l => PlainLine().IsMatch(l) && l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal));
        // Migrations, queries, key storage and the scheduler start without a warning; a demo without
        // an SMTP server may say that its reminder e-mails wait, which is what an operator should know.
        var warnings = output.Where(l => WarningLine().IsMatch(l) && !l.Contains("E-mail is off", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 0, "Warnings at start:\n" + string.Join("\n", warnings));
        // Quartz's own start-up chatter stays below the default level.
        Assert.DoesNotContain(output, l => l.Contains(": Quartz.", StringComparison.Ordinal));

        // The keys are stored encrypted with the certificate, not as they are.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir.Path, "perennial.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Xml FROM DataProtectionKeys";
        var xml = (string)(await command.ExecuteScalarAsync())!;
        Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_that_is_not_a_terminal_gets_one_json_object_a_line()
    {
        using var dir = new TempDir();
        var output = await RunUntilAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--data", dir.Path],
            lines => lines.Any(l => l.Contains("Now listening on", StringComparison.Ordinal)));

        var records = output.Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.Contains(records, r => r.RootElement.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime"
            && r.RootElement.GetProperty("Message").GetString()!.StartsWith("Now listening on: http://127.0.0.1:", StringComparison.Ordinal));
        Assert.All(records, r => Assert.True(r.RootElement.TryGetProperty("Timestamp", out _)));
    }

    [Fact]
    public async Task An_unknown_log_format_is_refused_by_its_setting_name()
    {
        using var dir = new TempDir();
        var err = new StringWriter();
        var code = await PerennialCli.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--data", dir.Path, "--log-format", "fancy"], new StringWriter(), err);

        Assert.Equal(2, code);
        Assert.Contains("Perennial:LogFormat must be auto, plain or json, not 'fancy'", err.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d (info|warn|fail|crit|dbug|trce): ")]
    private static partial Regex PlainLine();

    [GeneratedRegex(@"^\d\d:\d\d:\d\d (warn|fail|crit): ")]
    private static partial Regex WarningLine();

    /// <summary>Runs the program with standard output redirected (so not a terminal) until <paramref name="done"/> holds, then stops it.</summary>
    private static async Task<IReadOnlyList<string>> RunUntilAsync(string[] args, Func<IReadOnlyList<string>, bool> done)
    {
        var program = typeof(PerennialCli).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(program);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var lines = new List<string>();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        void Add(string? line)
        {
            if (line is not null)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                List<string> seen;
                lock (lines)
                {
                    seen = [.. lines];
                }

                if (done(seen))
                {
                    // A moment more, so that what follows the awaited line is read too.
                    await Task.Delay(500);
                    lock (lines)
                    {
                        return [.. lines];
                    }
                }

                Assert.False(process.HasExited, $"perennial exited with {(process.HasExited ? process.ExitCode : 0)}:\n{string.Join("\n", seen)}");
                Assert.True(deadline.Elapsed < Patience, "perennial did not get there in time:\n" + string.Join("\n", seen));
                await Task.Delay(100);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static void WriteCertificate(string path, string password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Perennial data protection (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("perennial-serve-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
