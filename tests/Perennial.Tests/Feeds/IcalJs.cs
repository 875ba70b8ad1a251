using System.Diagnostics;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Feeds;

/// <summary>
/// Mozilla's ical.js (the iCalendar parser inside Thunderbird), run by node on a calendar file:
/// tests/Perennial.Tests/node/parse-ics.mjs prints what it read as JSON. Needs node and
/// <c>npm ci</c> in that folder; skips (fails on CI) without them.
/// </summary>
internal static class IcalJs
{
    private static readonly Lazy<string?> Folder = new(FindFolder);

    public static async Task<JsonElement> ParseAsync(string ics)
    {
        var folder = Folder.Value;
        if (folder is null)
        {
            Requirements.Missing("ical.js", "tests/Perennial.Tests/node was not found above the test binary.");
        }

        if (!File.Exists(Path.Combine(folder, "node_modules", "ical.js", "package.json")))
        {
            Requirements.Missing("ical.js", $"run 'npm ci' in {folder} (installs ical.js 2.2.1 from package-lock.json).");
        }

        var start = new ProcessStartInfo("node", ["parse-ics.mjs"])
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Requirements.Missing("node", $"Node.js is needed to run ical.js ({e.Message}); install it (apt-get install nodejs npm).");
            throw;
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(ics);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"ical.js failed (exit {process.ExitCode}): {await stderr}");
            using var document = JsonDocument.Parse(await stdout);
            return document.RootElement.Clone();
        }
    }

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perennial.sln")))
            {
                var folder = Path.Combine(dir.FullName, "tests", "Perennial.Tests", "node");
                return Directory.Exists(folder) ? folder : null;
            }
        }

        return null;
    }
}
