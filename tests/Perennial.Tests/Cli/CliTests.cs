using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.Cli;

/// <summary>The <c>perennial</c> command line, run in-process against a real database.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestApp app = null!;

    public async ValueTask InitializeAsync() => app = await TestApp.StartAsync();

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task User_add_without_a_password_generates_one_shown_once_that_signs_in()
    {
        var result = await app.RunCliAsync("", "user", "add", "--email", "first@cli.test", "--role", "admin");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("installation administrator", result.Stdout, StringComparison.Ordinal);
        var password = result.Stdout.Split('\n').Single(l => l.StartsWith("Password (shown once): ", StringComparison.Ordinal))["Password (shown once): ".Length..].Trim();
        var browser = await app.SignInAsync("first@cli.test", password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/admin/users")).StatusCode);
    }

    [Fact]
    public async Task User_add_reads_the_password_from_stdin_and_gives_a_role_in_an_organisation()
    {
        var admin = await app.CreateUserAsync("admin@cli.test");
        await app.CreateOrganisationAsync("acme", admin.Id);

        var result = await app.RunCliAsync("a-long-enough-password\n", "user", "add", "--email", "auditor@cli.test", "--role", "auditor", "--org", "acme", "--password-stdin");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("Password", result.Stdout, StringComparison.Ordinal);
        var browser = await app.SignInAsync("auditor@cli.test", "a-long-enough-password");
        var orgs = await browser.GetFromJsonAsync<JsonElement>("/api/v1/orgs");
        var only = Assert.Single(orgs.GetProperty("items").EnumerateArray());
        Assert.Equal("acme", only.GetProperty("slug").GetString());
        Assert.Equal("auditor", only.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData(new[] { "user", "add", "--email", "x@cli.test", "--role", "owner" }, "--role must be one of")]
    [InlineData(new[] { "user", "add", "--email", "x@cli.test", "--role", "manager", "--org", "nowhere" }, "No organisation has the slug 'nowhere'")]
    [InlineData(new[] { "user", "add", "--email", "not-an-email", "--role", "admin" }, "is not an e-mail address")]
    [InlineData(new[] { "token", "create", "--user", "nobody@cli.test", "--name", "ci" }, "no account has the e-mail")]
    [InlineData(new[] { "token", "create", "--user", "x@cli.test", "--name", "ci", "--expirse", "2027-01-01" }, "unknown option or argument '--expirse'")]
    [InlineData(new[] { "user", "add", "--email", "x@cli.test", "--role", "manager" }, "name it with --org SLUG")]
    public async Task Bad_arguments_exit_non_zero_with_a_message_naming_the_problem(string[] args, string message)
    {
        var result = await app.RunCliAsync("", args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Token_create_prints_only_the_token_and_it_works_on_the_API()
    {
        await app.CreateUserAsync("pipeline@cli.test");

        var result = await app.RunCliAsync("", "token", "create", "--user", "pipeline@cli.test", "--name", "ci", "--expires", "2027-12-31");

        Assert.Equal(0, result.ExitCode);
        var token = result.Stdout.TrimEnd('\n');
        Assert.Matches("^prn_[A-Za-z0-9_-]{43}$", token);
        var me = await app.CreateApiClient(token).GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("pipeline@cli.test", me.GetProperty("email").GetString());
    }

    [Theory]
    [InlineData("31/12/2027", "is not a date in the form YYYY-MM-DD")]
    [InlineData("2020-01-01", "is in the past")]
    public async Task Token_create_refuses_a_bad_expiry(string expires, string message)
    {
        await app.CreateUserAsync("pipeline@cli.test");

        var result = await app.RunCliAsync("", "token", "create", "--user", "pipeline@cli.test", "--name", "ci", "--expires", expires);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Db_migrate_on_a_fresh_folder_creates_the_database_and_is_then_up_to_date()
    {
        var folder = Directory.CreateTempSubdirectory("perennial-cli-").FullName;
        try
        {
            var first = await Cli("db", "migrate", "--data", folder);
            var second = await Cli("db", "migrate", "--data", folder);

            Assert.Equal(0, first.ExitCode);
            Assert.Contains("Applied", first.Stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "perennial.db")));
            Assert.Equal(0, second.ExitCode);
            Assert.Contains("up to date", second.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Demo_seed_creates_the_demo_organisation_once_with_a_sign_in_shown_once()
    {
        var first = await app.RunCliAsync("", "demo", "seed");
        var second = await app.RunCliAsync("", "demo", "seed");

        Assert.Equal(0, first.ExitCode);
        var match = System.Text.RegularExpressions.Regex.Match(first.Stdout, "Sign in as (\\S+) with password (\\S+) ");
        Assert.True(match.Success, first.Stdout);
        var browser = await app.SignInAsync(match.Groups[1].Value, match.Groups[2].Value);
        var demo = await browser.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/members");
        Assert.True(demo.GetProperty("total").GetInt32() >= 5);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/o/demo")).StatusCode);
        var cycle = await browser.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/cycle");
        Assert.Equal("surveillance-1", cycle.GetProperty("nextAudit").GetString());
        Assert.True(cycle.GetProperty("daysToNextAudit").GetInt32() > 0);
        var soa = await browser.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/soa/versions");
        Assert.Equal(1, soa.GetArrayLength());
        Assert.Equal(92, soa[0].GetProperty("applicable").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/orgs/demo/scope")).StatusCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already exists", second.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("password", second.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<CliResult> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Perennial.Cli.PerennialCli.RunAsync(args, stdout, stderr, new StringReader(""));
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}
