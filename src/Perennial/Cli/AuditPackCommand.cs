using System.CommandLine;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Perennial.AuditPacks;
using Perennial.Common;
using Perennial.Data;
using Perennial.Readiness;

namespace Perennial.Cli;

/// <summary>
/// <c>perennial audit-pack --org SLUG (--audit-date DATE | --audit ID) --out FILE</c> builds the pack
/// for an audit; <c>perennial audit-pack verify FILE</c> checks one against its manifest. Building exits
/// 0 when written, 1 for an unknown organisation or audit, 2 for bad options; verifying exits 0 when
/// everything matches, 1 naming each mismatch, 2 when the file cannot be read.
/// </summary>
internal static class AuditPackCommand
{
    public static Command Create(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var org = new Option<string?>("--org") { Description = "Slug of the organisation." };
        var auditDate = new Option<string?>("--audit-date") { Description = "The audit day, YYYY-MM-DD (its period: since the audit before)." };
        var audit = new Option<string?>("--audit") { Description = "Id of an external audit of the certification cycle (instead of --audit-date)." };
        var periodFrom = new Option<string?>("--period-from") { Description = "First day of the audit period, YYYY-MM-DD (default: the day after the audit before)." };
        var output = new Option<string?>("--out") { Description = "The ZIP file to write; written under another name and renamed when complete." };
        var command = new Command("audit-pack", "Build the audit pack of an audit's period: one ZIP with an offline index, the records, the evidence and a manifest of SHA-256s.")
        {
            org, auditDate, audit, periodFrom, output, data, VerifyCommand(io),
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => PerennialCli.WithServicesAsync(parse, data, io, async services =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(org)))
            {
                return await UsageAsync(io, "--org is required: the slug of the organisation.");
            }

            var dateText = parse.GetValue(auditDate);
            var auditText = parse.GetValue(audit);
            if (string.IsNullOrWhiteSpace(dateText) == string.IsNullOrWhiteSpace(auditText))
            {
                return await UsageAsync(io, "give either --audit-date YYYY-MM-DD or --audit ID (one of them).");
            }

            if (!ReadinessCommand.TryDate(dateText, out var day))
            {
                return await UsageAsync(io, $"--audit-date '{dateText}' is not a date such as 2026-09-15 (YYYY-MM-DD).");
            }

            Guid? auditId = null;
            if (!string.IsNullOrWhiteSpace(auditText))
            {
                if (!Guid.TryParse(auditText, out var id))
                {
                    return await UsageAsync(io, $"--audit '{auditText}' is not an external audit id (a GUID).");
                }

                auditId = id;
            }

            if (!ReadinessCommand.TryDate(parse.GetValue(periodFrom), out var from))
            {
                return await UsageAsync(io, $"--period-from '{parse.GetValue(periodFrom)}' is not a date such as 2026-03-16 (YYYY-MM-DD).");
            }

            if (parse.GetValue(output) is not { Length: > 0 } outPath)
            {
                return await UsageAsync(io, "--out is required: the ZIP file to write.");
            }

            var target = Path.GetFullPath(outPath);
            if (!Directory.Exists(Path.GetDirectoryName(target)))
            {
                return await UsageAsync(io, $"--out: the folder {Path.GetDirectoryName(target)} does not exist.");
            }

            await PerennialCli.EnsureMigratedAsync(services, ct);
            var db = services.GetRequiredService<PerennialDbContext>();
            var slug = parse.GetValue(org)!.Trim();
            var organisation = await db.Organisations.AsNoTracking().SingleOrDefaultAsync(o => o.Slug == slug, ct);
            if (organisation is null)
            {
                await io.Err.WriteLineAsync($"error: --org: no organisation has the slug '{slug}'.");
                return 1;
            }

            var builder = services.GetRequiredService<AuditPackBuilder>();
            AuditWindow window;
            try
            {
                window = await builder.WindowAsync(organisation.Id, new ReadinessQuery(day, from, auditId), ct);
            }
            catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.Validation)
            {
                return await UsageAsync(io, ReadinessCommand.WindowError(e));
            }
            catch (UseCaseException e) when (e.Kind == UseCaseErrorKind.NotFound)
            {
                await io.Err.WriteLineAsync($"error: --audit: {e.Message}");
                return 1;
            }

            // Written under a temporary name beside the target: a failure part-way leaves no half-written pack.
            var partial = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
            AuditPackResult result;
            try
            {
                var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1024 * 1024, FileOptions.Asynchronous);
                await using (file)
                {
                    result = await builder.WriteAsync(organisation.Id, window, file, new AuditPackActor(null, $"command line ({Environment.UserName})"), ct);
                    await file.FlushAsync(ct);
                }

                File.Move(partial, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(partial))
                {
                    File.Delete(partial);
                }
            }

            var c = CultureInfo.InvariantCulture;
            await io.Out.WriteLineAsync(string.Create(c, $"Audit pack written: {target}"));
            await io.Out.WriteLineAsync(string.Create(c, $"  audit:     {window.Source}, on {window.AuditDate:yyyy-MM-dd}; period {window.PeriodFrom:yyyy-MM-dd} to {window.AuditDate:yyyy-MM-dd}"));
            await io.Out.WriteLineAsync(string.Create(c, $"  files:     {result.Seal.Files} ({result.EvidenceFiles} evidence file(s), {result.EvidenceBytes} bytes of evidence)"));
            await io.Out.WriteLineAsync(string.Create(c, $"  size:      {result.Seal.PackSize} bytes"));
            await io.Out.WriteLineAsync($"  sha256:    {result.Seal.PackSha256}");
            await io.Out.WriteLineAsync($"  manifest:  {result.Seal.ManifestSha256}");
            await io.Out.WriteLineAsync($"  recorded as evidence item {result.ReceiptEvidenceId:D}");
            return 0;
        }, ct));
        return command;
    }

    private static Command VerifyCommand(PerennialCli.CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "The audit pack (ZIP) to check." };
        var expected = new Option<string?>("--manifest-sha256") { Description = "The manifest hash Perennial recorded when it built the pack; the check fails if the manifest's differs." };
        var verify = new Command("verify", "Check every file of an audit pack against its manifest and the manifest against its hash; names each mismatch.") { file, expected };
        verify.TreatUnmatchedTokensAsErrors = false;
        verify.SetAction(async (parse, ct) =>
        {
            if (PerennialCli.UnknownToken(parse) is { } unknown)
            {
                await io.Err.WriteLineAsync($"error: unknown option or argument '{unknown}'. See --help.");
                return 2;
            }

            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                await io.Err.WriteLineAsync($"error: FILE: {path} does not exist.");
                return 2;
            }

            AuditPackVerification result;
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream)
            {
                result = await AuditPackVerifier.VerifyAsync(stream, parse.GetValue(expected), ct);
            }

            if (result.Manifest is null && result.Problems.Any(p => p.Path == "pack"))
            {
                await io.Err.WriteLineAsync($"error: FILE: {result.Problems[0].Message}.");
                return 2;
            }

            foreach (var problem in result.Problems)
            {
                await io.Out.WriteLineAsync($"MISMATCH {problem}");
            }

            var c = CultureInfo.InvariantCulture;
            if (result.Intact)
            {
                await io.Out.WriteLineAsync(string.Create(c, $"Audit pack intact: {result.FilesChecked} files match the manifest; manifest SHA-256 {result.ManifestSha256}."));
                return 0;
            }

            await io.Out.WriteLineAsync(string.Create(c, $"Audit pack NOT intact: {result.Problems.Count} mismatch(es)."));
            return 1;
        });
        return verify;
    }

    private static async Task<int> UsageAsync(PerennialCli.CliIo io, string message)
    {
        await io.Err.WriteLineAsync($"error: {message}");
        return 2;
    }
}
