using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Data;
using Perennial.Demo;

namespace Perennial.Tests.Demo;

/// <summary>The demo's context register, objectives and measures, and management reviews, read back through the API.</summary>
public sealed class DemoReviewTests(DemoFixture demo) : IClassFixture<DemoFixture>
{
    [Fact]
    public async Task The_demo_holds_a_context_history_measured_objectives_one_off_target_a_held_review_and_the_next_one()
    {
        var admin = await demo.App.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().Users.Where(u => u.Email == DemoSeeder.AdminEmail).Select(u => u.Id).SingleAsync());
        var api = demo.App.CreateApiClient(await demo.App.CreateTokenAsync(admin, "demo-review"));
        var today = DateOnly.FromDateTime(demo.App.Time.GetUtcNow().UtcDateTime);

        var context = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/context?pageSize=200");
        Assert.Equal(5, context.GetProperty("total").GetInt32());
        Assert.Equal("relevant", (await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/context/climate")).GetProperty("assessment").GetString());
        var changes = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/context/changes?from={Uri.EscapeDataString(demo.App.Time.GetUtcNow().AddMonths(-6).ToString("o"))}");
        Assert.Equal(["Rules adopted", "reviewed: Customers now ask for a SOC 2 mapping next to the certificate"], changes.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("reason").GetString()));

        var objectives = (await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/objectives")).EnumerateArray().ToList();
        Assert.Equal(3, objectives.Count);
        var phishing = objectives.Single(o => o.GetProperty("title").GetString() == "Fewer clicks on phishing");
        Assert.Equal("missed", phishing.GetProperty("rating").GetString());
        var onTime = objectives.Single(o => o.GetProperty("title").GetString() == "Recurring controls done on time");
        var values = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/measures/{onTime.GetProperty("measure").GetProperty("id").GetGuid()}/values?from={today.AddYears(-1):yyyy-MM-dd}");
        Assert.InRange(values.GetProperty("values").GetArrayLength(), 52, 53);
        Assert.All(values.GetProperty("values").EnumerateArray(), v => Assert.Equal("computed", v.GetProperty("source").GetString()));

        var reviews = await api.GetFromJsonAsync<JsonElement>("/api/v1/orgs/demo/management-reviews");
        Assert.Equal(["scheduled", "held"], reviews.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        var held = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/management-reviews/{reviews.GetProperty("items")[1].GetProperty("id").GetGuid()}");
        Assert.Equal(["done", "open"], held.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("status").GetString()));
        Assert.Equal(4, held.GetProperty("minutes").GetArrayLength());
        Assert.Equal(64, held.GetProperty("packSha256").GetString()!.Length);

        // The next pack is live: its input (a) reports the earlier review's decisions, and every input has its section.
        var next = await api.GetFromJsonAsync<JsonElement>($"/api/v1/orgs/demo/management-reviews/{reviews.GetProperty("items")[0].GetProperty("id").GetGuid()}/pack");
        Assert.False(next.GetProperty("frozen").GetBoolean());
        var a = next.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("input").GetString() == "a");
        Assert.Equal(["done", "open"], a.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("status").GetString()).Order());
        Assert.Equal(10, next.GetProperty("sections").GetArrayLength());
        Assert.False(next.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("input").GetString() == "d1").GetProperty("empty").GetBoolean());
    }
}
