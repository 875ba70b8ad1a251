using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Perennial.Data;
using Perennial.Evidence;

namespace Perennial.Cli;

/// <summary>
/// <c>perennial evidence push</c> (upload files to a server with a token, from a CI job or a script)
/// and <c>perennial evidence verify</c> (re-hash the stored content of the configured installation).
/// </summary>
internal static class EvidenceCommand
{
    /// <summary>Environment variable read when <c>--token</c> is not given, so tokens stay out of process lists.</summary>
    public const string TokenVariable = "PERENNIAL_TOKEN";

    public static Command Create(PerennialCli.CliIo io) =>
        new("evidence", "Evidence: push files to a Perennial server, verify the stored content.") { PushCommand(io), VerifyCommand(io) };

    private static Command PushCommand(PerennialCli.CliIo io)
    {
        var server = new Option<string>("--server") { Description = "The Perennial address, e.g. https://isms.example.com.", Required = true };
        var token = new Option<string?>("--token") { Description = $"An API token (prn_…) of an account with the contributor role or above; default: the {TokenVariable} environment variable." };
        var org = new Option<string>("--org") { Description = "Slug of the organisation.", Required = true };
        var activity = new Option<string?>("--activity") { Description = "Id of the activity the evidence is for (it joins the activity's earliest open occurrence)." };
        var control = new Option<string?>("--control") { Description = "Id of the control the evidence is for." };
        var periodFrom = new Option<string?>("--period-from") { Description = "First day the evidence covers, YYYY-MM-DD (default: --period-to, or today)." };
        var periodTo = new Option<string?>("--period-to") { Description = "Last day the evidence covers, YYYY-MM-DD (default: --period-from, or today)." };
        var title = new Option<string?>("--title") { Description = "Title of the item (default: the file name)." };
        var clientKey = new Option<string?>("--client-key")
        {
            Description = "Idempotency key: a retried push with the same key is recorded once. Default: derived from each file's SHA-256, the organisation, the target and the period. Only with one FILE.",
        };
        var report = new Option<string?>("--report") { Description = "The file is a scanner report (trivy, sarif, cyclonedx or auto): also import its findings." };
        var retries = new Option<int>("--retries")
        {
            Description = "How often to retry an upload after a connection failure or a 5xx answer, with back-off (default 3).",
            DefaultValueFactory = _ => 3,
        };
        var files = new Argument<string[]>("FILE") { Description = "The files to push; each becomes one evidence item.", Arity = ArgumentArity.OneOrMore };
        var push = new Command("push", "Upload files as evidence items; prints one line per file: id, sha256, size, file.")
        {
            server, token, org, activity, control, periodFrom, periodTo, title, clientKey, report, retries, files,
        };
        push.TreatUnmatchedTokensAsErrors = false;
        push.SetAction(async (parse, ct) =>
        {
            if (PerennialCli.UnknownToken(parse) is { } unknown)
            {
                await io.Err.WriteLineAsync($"error: unknown option or argument '{unknown}'. See --help.");
                return 2;
            }

            var request = new EvidencePushRequest(
                parse.GetValue(server)!, parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable), parse.GetValue(org)!,
                parse.GetValue(activity), parse.GetValue(control), parse.GetValue(periodFrom), parse.GetValue(periodTo),
                parse.GetValue(title), parse.GetValue(clientKey), parse.GetValue(report), parse.GetValue(retries), parse.GetValue(files) ?? []);
            var interactive = ReferenceEquals(io.Err, Console.Error) && !Console.IsErrorRedirected;
            return await new EvidencePusher(io.Out, io.Err, interactive).RunAsync(request, ct);
        });
        return push;
    }

    private static Command VerifyCommand(PerennialCli.CliIo io)
    {
        var data = PerennialCli.DataOption();
        var org = new Option<string?>("--org") { Description = "Check only this organisation's evidence (default: every organisation)." };
        var verify = new Command("verify", "Re-hash the stored content of every evidence item; exit 1 naming each item whose bytes are missing or no longer match.") { org, data };
        verify.TreatUnmatchedTokensAsErrors = false;
        verify.SetAction((parse, ct) => PerennialCli.WithServicesAsync(parse, data, io, async services =>
        {
            await PerennialCli.EnsureMigratedAsync(services, ct);
            Guid? organisationId = null;
            if (parse.GetValue(org) is { } slug)
            {
                organisationId = await services.GetRequiredService<PerennialDbContext>().Organisations.AsNoTracking()
                    .Where(o => o.Slug == slug).Select(o => (Guid?)o.Id).SingleOrDefaultAsync(ct);
                if (organisationId is null)
                {
                    await io.Err.WriteLineAsync($"error: --org: no organisation has the slug '{slug}'.");
                    return 1;
                }
            }

            var result = await services.GetRequiredService<EvidenceVerifier>().VerifyAsync(organisationId, ct);
            foreach (var p in result.Problems)
            {
                await io.Out.WriteLineAsync($"{p.ItemId}  org {p.OrganisationSlug}  \"{p.Title}\"  expected sha256 {p.Sha256}: {p.Problem}");
            }

            var summary = $"{result.ItemsChecked} evidence item(s) checked ({result.ContentChecked} distinct content(s) re-hashed)";
            if (result.Intact)
            {
                await io.Out.WriteLineAsync($"{summary}: all intact.");
                return 0;
            }

            await io.Err.WriteLineAsync($"error: {summary}: {result.Problems.Count} item(s) whose content is missing or no longer matches its SHA-256.");
            return 1;
        }, ct));
        return verify;
    }
}
