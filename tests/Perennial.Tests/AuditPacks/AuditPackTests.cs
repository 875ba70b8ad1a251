using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perennial.Activities;
using Perennial.AuditPacks;
using Perennial.Certification;
using Perennial.Data;
using Perennial.Evidence;
using Perennial.InternalAudits;
using Perennial.ManagementReviews;
using Perennial.Nonconformities;
using Perennial.Organisations;
using Perennial.Risks;
using Perennial.Soa;
using Perennial.Tests.Infrastructure;

namespace Perennial.Tests.AuditPacks;

public sealed class SqliteAuditPackTests() : AuditPackTests(DatabaseProvider.Sqlite);

public sealed class PostgresAuditPackTests() : AuditPackTests(DatabaseProvider.Postgres);

/// <summary>
/// The audit pack of a seeded organisation, fetched from the API and built by the command line: what
/// it holds (and leaves out) for the audit's period, its manifest against its files, and the
/// verifier against a flipped byte, a removed file, an added file and an edited manifest.
/// </summary>
public abstract class AuditPackTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateOnly AuditDay = new(2026, 5, 1);
    private static readonly byte[] ReportBytes = Encoding.UTF8.GetBytes("%PDF-1.7 backup report PACK-MARKER-7f3a9c restore of 2026-04-12 succeeded\n" + new string('x', 2000));
    private TestApp app = null!;
    private readonly Dictionary<string, Guid> users = [];

    public async ValueTask InitializeAsync()
    {
        app = await TestApp.StartAsync(provider);
        foreach (var name in new[] { "admin", "ana", "audrey" })
        {
            users[name] = (await app.CreateUserAsync($"{name}@acme.test")).Id;
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private sealed record World(Guid OrgId, Guid AuditId, Guid RiskId, Guid ReportId, Guid OldReportId);

    private static DateTimeOffset At(int month, int day, int hour, int year = 2026) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A cycle issued 2025-05-01 with a surveillance audit on 2026-05-01 (period 2025-05-01 to 2026-05-01).
    /// SoA v1 published before the period, v2 the day after the audit. Risk R1 retitled the day after
    /// the audit. A monthly check on the 10th: January done late, February and April not done, March on
    /// time. An internal audit signed off in March, a management review held in April, NC-001 open with
    /// a corrective action and NC-000 closed before the period. Evidence: a report covering April, a
    /// report covering early 2025 (before the period) and a link covering April.
    /// </summary>
    private async Task<World> SeedAsync()
    {
        var org = await app.CreateOrganisationAsync("acme", users["admin"]);
        await app.AddMemberAsync(org.Id, "ana@acme.test", OrgRole.Contributor);
        await app.AddMemberAsync(org.Id, "audrey@acme.test", OrgRole.Auditor, new DateOnly(2026, 6, 30));
        var risk = await app.WithScopeAsync(s => s.GetRequiredService<RiskService>().CreateAsync(org.Id,
            new RiskInput("Backups cannot be restored", null, null, null, users["ana"], 3, 4, null, TreatmentOption.Modify, "Test restores monthly", 2, 3, 12, [], []), default));
        var check = await app.WithScopeAsync(s => s.GetRequiredService<ActivityService>().CreateAsync(org.Id, new ActivityInput(
            "Backup restore check", null, users["ana"], null, null, "FREQ=MONTHLY;BYMONTHDAY=10", new DateTime(2026, 1, 10, 9, 0, 0), "UTC"), default, includePast: true));

        Guid auditId = default;
        await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var now = app.Time.GetUtcNow();
            foreach (var o in await db.Occurrences.Where(o => o.ActivityId == check.Id).ToListAsync())
            {
                if (o.DueDate == new DateOnly(2026, 1, 10))
                {
                    (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, At(1, 20, 8), users["ana"]);
                }
                else if (o.DueDate == new DateOnly(2026, 3, 10))
                {
                    (o.State, o.CompletedAt, o.CompletedByUserId) = (OccurrenceState.Completed, At(3, 10, 8), users["ana"]);
                }
            }

            var cycle = new CertificationCycle
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Number = 1,
                IsCurrent = true,
                CertificationBody = "Example Certification Ltd",
                IssueDate = new DateOnly(2025, 5, 1),
                ExpiryDate = new DateOnly(2028, 4, 30),
                CreatedAt = now,
            };
            db.CertificationCycles.Add(cycle);
            var audit = new ExternalAudit { Id = Guid.NewGuid(), OrganisationId = org.Id, CycleId = cycle.Id, Kind = ExternalAuditKind.Surveillance1, PlannedDate = AuditDay };
            db.ExternalAudits.Add(audit);
            auditId = audit.Id;
            foreach (var (number, published) in new[] { (1, At(4, 20, 12, 2025)), (2, At(5, 2, 12)) })
            {
                var version = new SoaVersion { Id = Guid.NewGuid(), OrganisationId = org.Id, Number = number, PublishedAt = published, ApproverName = "Admin" };
                version.Rows.Add(new SoaRow { Id = Guid.NewGuid(), OrganisationId = org.Id, ControlIdentifier = "A.8.13", Applicable = true, Justification = $"Version {number}" });
                db.SoaVersions.Add(version);
            }

            db.InternalAudits.Add(new InternalAudit
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Reference = "IA-001",
                Title = "Operations controls",
                PlannedStart = new DateOnly(2026, 3, 9),
                PlannedEnd = new DateOnly(2026, 3, 13),
                LeadAuditorUserId = users["admin"],
                Status = InternalAuditStatus.Reported,
                CreatedAt = now,
                PeriodFrom = new DateOnly(2025, 5, 1),
                PeriodTo = new DateOnly(2026, 2, 28),
                SignedOffAt = At(3, 15, 12),
                SignedOffByUserId = users["admin"],
            });
            db.ManagementReviews.Add(new ManagementReview
            {
                Id = Guid.NewGuid(),
                OrganisationId = org.Id,
                Reference = "MR-001",
                Title = "Spring management review",
                ScheduledOn = new DateOnly(2026, 4, 1),
                ChairUserId = users["admin"],
                Status = ReviewStatus.Held,
                HeldAt = At(4, 1, 15),
                HeldByUserId = users["admin"],
                CreatedAt = now,
                UpdatedAt = now,
            });
            foreach (var (reference, raised, closed) in new[] { ("NC-000", At(12, 1, 9, 2024), (DateTimeOffset?)At(1, 10, 9, 2025)), ("NC-001", At(3, 1, 10), null) })
            {
                var nc = new Nonconformity
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = org.Id,
                    Reference = reference,
                    Title = $"Finding {reference}",
                    Source = NonconformitySource.Manual,
                    OwnerUserId = users["ana"],
                    RaisedByName = "Admin",
                    RaisedAt = raised,
                    ClosedAt = closed,
                    Status = closed is null ? NonconformityStatus.Planned : NonconformityStatus.Closed,
                };
                db.Nonconformities.Add(nc);
                db.CorrectiveActions.Add(new CorrectiveAction
                {
                    Id = Guid.NewGuid(),
                    OrganisationId = org.Id,
                    NonconformityId = nc.Id,
                    Round = 1,
                    Title = $"Action for {reference}",
                    OwnerUserId = users["ana"],
                    DueOn = DateOnly.FromDateTime(raised.UtcDateTime).AddDays(40),
                    CreatedAt = raised,
                });
            }

            await db.SaveChangesAsync();
        });

        // The day after the audit started, the risk changes: the pack shows it as the audit found it.
        app.Time.SetUtcNow(At(5, 2, 10));
        await app.WithScopeAsync(s => s.GetRequiredService<RiskService>().UpdateAsync(org.Id, risk.Id,
            new RiskInput("Changed after the audit started", null, null, null, users["ana"], 3, 4, null, TreatmentOption.Modify, "Test restores monthly", 2, 3, 12, [], []), "retitled", default));

        app.Time.SetUtcNow(At(5, 3, 9));
        var report = await AddEvidenceAsync(org.Id, "Backup report, April", new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 30), "backup-report.pdf", ReportBytes);
        var old = await AddEvidenceAsync(org.Id, "Backup report, early 2025", new DateOnly(2025, 1, 1), new DateOnly(2025, 3, 31), "old-report.txt", Encoding.UTF8.GetBytes("before the period"));
        await app.WithScopeAsync(s => s.GetRequiredService<EvidenceService>().AddAsync(org.Id,
            new EvidenceInput { Title = "Backup dashboard", Url = "https://backup.acme.test/dashboard", PeriodFrom = new DateOnly(2026, 4, 1), PeriodTo = new DateOnly(2026, 4, 30) },
            null, new EvidenceOrigin(EvidenceSource.Upload, users["ana"]), default));
        return new World(org.Id, auditId, risk.Id, report, old);
    }

    private async Task<Guid> AddEvidenceAsync(Guid orgId, string title, DateOnly from, DateOnly to, string fileName, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        var recorded = await app.WithScopeAsync(s => s.GetRequiredService<EvidenceService>().AddAsync(orgId,
            new EvidenceInput { Title = title, PeriodFrom = from, PeriodTo = to }, new IncomingContent(content, fileName, "application/pdf"),
            new EvidenceOrigin(EvidenceSource.Upload, users["ana"]), default));
        return recorded.Item.Id;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Read(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(path) ?? throw new InvalidOperationException($"The pack has no {path}; it has {string.Join(", ", zip.Entries.Select(e => e.FullName))}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static IXLWorksheet Sheet(ZipArchive zip, string path, string sheet, out XLWorkbook workbook)
    {
        workbook = new XLWorkbook(new MemoryStream(Read(zip, path)));
        return workbook.Worksheet(sheet);
    }

    [Fact]
    public async Task The_api_streams_the_pack_of_the_audit_period_and_its_manifest_lists_every_file_with_its_hash()
    {
        var world = await SeedAsync();
        using var client = app.CreateApiClient(await app.CreateTokenAsync(users["audrey"]));
        using var response = await client.GetAsync("/api/v1/orgs/acme/audit-pack?auditDate=2026-05-01", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("acme-audit-pack-2026-05-01.zip", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var paths = zip.Entries.Select(e => e.FullName).ToHashSet();

        // The records of the period, and only the evidence whose period overlaps the audit's.
        var reportPath = AuditPackBuilder.EvidencePath(world.ReportId, new DateOnly(2026, 4, 1), EvidenceKind.File, "backup-report.pdf");
        string[] expected =
        [
            "soa/statement-of-applicability-v1.xlsx", "risks/risk-register-and-treatment-plan-2026-04-30.xlsx", "calendar/calendar-2025-05-01-to-2026-05-01.xlsx",
            "internal-audits/IA-001-report.docx", "nonconformities/nonconformity-log.xlsx", "management-reviews/MR-001-minutes.docx", reportPath,
            "audit-trail/audit-trail.jsonl", "index.html", "manifest.json", "manifest.sha256",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
        Assert.Equal(ReportBytes, Read(zip, reportPath));

        // The manifest lists every other file with the SHA-256 and size of its bytes; its own hash is beside it.
        var manifestBytes = Read(zip, "manifest.json");
        Assert.Equal($"{Sha256(manifestBytes)}  manifest.json\n", Encoding.ASCII.GetString(Read(zip, "manifest.sha256")));
        var manifest = JsonSerializer.Deserialize<AuditPackManifest>(manifestBytes, AuditPackManifest.Json)!;
        Assert.Equal(paths.Except(["manifest.json", "manifest.sha256"]).Order(StringComparer.Ordinal), manifest.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        foreach (var file in manifest.Files)
        {
            var content = Read(zip, file.Path);
            Assert.Equal((Sha256(content), (long)content.Length), (file.Sha256, file.Size));
        }

        var reportFile = manifest.Files.Single(f => f.Path == reportPath);
        Assert.Equal((world.ReportId, new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 30)), (reportFile.EvidenceId!.Value, reportFile.PeriodFrom!.Value, reportFile.PeriodTo!.Value));
        Assert.Contains("upload, ana", reportFile.Source, StringComparison.Ordinal);
        Assert.Equal((AuditDay, new DateOnly(2025, 5, 1), world.AuditId), (manifest.Audit.AuditDate, manifest.Audit.PeriodFrom, manifest.Audit.ExternalAuditId!.Value));

        // The register as the audit found it; the calendar with each occurrence's status; the log of the period.
        var register = Sheet(zip, "risks/risk-register-and-treatment-plan-2026-04-30.xlsx", RiskSpreadsheet.RegisterSheet, out var risks);
        using (risks)
        {
            Assert.Equal(("R-001", "Backups cannot be restored"), (register.Cell(2, 1).GetString(), register.Cell(2, 2).GetString()));
            Assert.True(register.Cell(3, 1).IsEmpty());
        }

        var calendar = Sheet(zip, "calendar/calendar-2025-05-01-to-2026-05-01.xlsx", "Calendar", out var calendarBook);
        using (calendarBook)
        {
            var rows = Enumerable.Range(2, 4).Select(r => (calendar.Cell(r, 5).GetDateTime().ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture), calendar.Cell(r, 6).GetString())).ToList();
            Assert.Equal(
                [("01-10", ActivityNames.ToLabel(OccurrenceStatus.CompletedLate)), ("02-10", "Overdue"), ("03-10", ActivityNames.ToLabel(OccurrenceStatus.CompletedOnTime)), ("04-10", "Overdue")],
                rows);
            Assert.True(calendar.Cell(6, 1).IsEmpty());
        }

        var log = Sheet(zip, "nonconformities/nonconformity-log.xlsx", "Nonconformities", out var logBook);
        using (logBook)
        {
            Assert.Equal(("NC-001", true), (log.Cell(2, 1).GetString(), log.Cell(3, 1).IsEmpty()));
            var actions = logBook.Worksheet("Corrective actions");
            Assert.Equal(("NC-001", "Action for NC-001"), (actions.Cell(2, 1).GetString(), actions.Cell(2, 3).GetString()));
            Assert.True(actions.Cell(3, 1).IsEmpty());
        }

        var soa = Sheet(zip, "soa/statement-of-applicability-v1.xlsx", SoaSpreadsheet.SheetName, out var soaBook);
        using (soaBook)
        {
            Assert.Equal("Version 1", soa.Cell(2, 5).GetString());
        }

        // The audit-trail extract: this organisation's entries of the period, each one's hash re-computable; the chain's head as it was.
        var lines = Encoding.UTF8.GetString(Read(zip, "audit-trail/audit-trail.jsonl")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<AuditTrailLine>(l, AuditPackManifest.Json)!).ToList();
        Assert.Equal(lines.Count, manifest.AuditTrail.Entries);
        Assert.All(lines, l => Assert.Equal(world.OrgId, l.OrganisationId));
        Assert.All(lines, l => Assert.True(l.At < At(5, 2, 0)));
        Assert.Contains(lines, l => l.EntityId == world.RiskId && l.Action == "Created");
        Assert.All(lines, l => Assert.Equal(l.Hash, l.ToEntry()!.ComputeHash()));
        Assert.True(manifest.AuditTrail.ChainIntact, manifest.AuditTrail.ChainCheck);
        var head = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().AuditEntries.SingleAsync(e => e.Sequence == manifest.AuditTrail.HeadSequence));
        Assert.Equal(head.Hash, manifest.AuditTrail.HeadHash);

        // The index works offline: every file linked by its relative path, nothing fetched from elsewhere.
        var index = Encoding.UTF8.GetString(Read(zip, "index.html"));
        Assert.All(manifest.Files.Where(f => f.Path != "index.html"), f => Assert.Contains($"href=\"{string.Join('/', f.Path.Split('/').Select(Uri.EscapeDataString))}\"", index, StringComparison.Ordinal));
        Assert.DoesNotContain("<script", index, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", index, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", index, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("https://backup.acme.test/dashboard", index, StringComparison.Ordinal);
        Assert.DoesNotContain("early 2025", index, StringComparison.Ordinal);

        // The pack is recorded as evidence of the audit: a receipt holding the hash of the very bytes downloaded.
        var receipt = await app.WithScopeAsync(async s =>
        {
            var db = s.GetRequiredService<PerennialDbContext>();
            var item = await db.EvidenceItems.SingleAsync(e => e.OrganisationId == world.OrgId && e.Title == "Audit pack for the audit on 2026-05-01");
            await using var content = (await s.GetRequiredService<EvidenceService>().Store.OpenReadAsync(item.Sha256!, default))!;
            return (item, await JsonDocument.ParseAsync(content));
        });
        using (receipt.Item2)
        {
            Assert.Equal(Sha256(bytes), receipt.Item2.RootElement.GetProperty("packSha256").GetString());
            Assert.Equal(Sha256(manifestBytes), receipt.Item2.RootElement.GetProperty("manifestSha256").GetString());
            Assert.Equal((EvidenceSource.System, users["audrey"]), (receipt.item.Source, receipt.item.SourceUserId!.Value));
            Assert.Equal((new DateOnly(2025, 5, 1), AuditDay), (receipt.item.PeriodFrom, receipt.item.PeriodTo));
        }

        var verification = await AuditPackVerifier.VerifyAsync(new MemoryStream(bytes), Sha256(manifestBytes), default);
        Assert.True(verification.Intact, string.Join("; ", verification.Problems));
        Assert.Equal(manifest.Files.Count, verification.FilesChecked);
    }

    [Fact]
    public async Task The_api_refuses_a_request_without_an_audit_a_malformed_date_a_stranger_and_an_expired_auditor()
    {
        await SeedAsync();
        using var client = app.CreateApiClient(await app.CreateTokenAsync(users["audrey"]));
        using var none = await client.GetAsync("/api/v1/orgs/acme/audit-pack");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("auditDate", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var bad = await client.GetAsync("/api/v1/orgs/acme/audit-pack?auditDate=2026-13-45");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var backwards = await client.GetAsync("/api/v1/orgs/acme/audit-pack?auditDate=2026-05-01&periodFrom=2026-06-01");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("periodFrom", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknownAudit = await client.GetAsync($"/api/v1/orgs/acme/audit-pack?audit={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknownAudit.StatusCode);

        var stranger = await app.CreateUserAsync("stranger@other.test");
        using var strangerClient = app.CreateApiClient(await app.CreateTokenAsync(stranger.Id));
        using var refused = await strangerClient.GetAsync("/api/v1/orgs/acme/audit-pack?auditDate=2026-05-01");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);

        app.Time.SetUtcNow(At(7, 1, 9));
        using var expired = await client.GetAsync("/api/v1/orgs/acme/audit-pack?auditDate=2026-05-01");
        Assert.Contains(expired.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        var receipts = await app.WithScopeAsync(s => s.GetRequiredService<PerennialDbContext>().EvidenceItems.CountAsync(e => e.Title.StartsWith("Audit pack")));
        Assert.Equal(0, receipts);
    }

    [Fact]
    public async Task The_cli_builds_the_pack_and_verify_names_a_flipped_byte_a_removed_file_an_added_file_and_an_edited_manifest()
    {
        var world = await SeedAsync();
        var folder = Directory.CreateTempSubdirectory("perennial-pack-").FullName;
        try
        {
            var pack = Path.Combine(folder, "pack.zip");
            var built = await app.RunCliAsync("", "audit-pack", "--org", "acme", "--audit", world.AuditId.ToString(), "--out", pack, "--data", app.Database.DataDirectory);
            Assert.True(built.ExitCode == 0, built.Stderr);
            Assert.Contains("Surveillance", built.Stdout, StringComparison.OrdinalIgnoreCase);
            var bytes = await File.ReadAllBytesAsync(pack);
            Assert.Contains($"sha256:    {Sha256(bytes)}", built.Stdout, StringComparison.Ordinal);
            Assert.Equal([pack], Directory.GetFiles(folder));

            var intact = await app.RunCliAsync("", "audit-pack", "verify", pack);
            Assert.True(intact.ExitCode == 0, intact.Stdout);
            Assert.Contains("intact", intact.Stdout, StringComparison.Ordinal);

            var reportPath = AuditPackBuilder.EvidencePath(world.ReportId, new DateOnly(2026, 4, 1), EvidenceKind.File, "backup-report.pdf");

            // One byte of the evidence flipped inside the ZIP.
            var marker = Encoding.ASCII.GetBytes("PACK-MARKER-7f3a9c");
            var at = bytes.AsSpan().IndexOf(marker);
            Assert.True(at > 0, "Evidence is stored in the pack as it is.");
            var flipped = (byte[])bytes.Clone();
            flipped[at + 5] ^= 0x01;
            var flippedPath = Path.Combine(folder, "flipped.zip");
            await File.WriteAllBytesAsync(flippedPath, flipped);
            var flippedResult = await app.RunCliAsync("", "audit-pack", "verify", flippedPath);
            Assert.Equal(1, flippedResult.ExitCode);
            Assert.Contains($"MISMATCH {reportPath}:", flippedResult.Stdout, StringComparison.Ordinal);
            Assert.Single(flippedResult.Stdout.Split('\n'), l => l.StartsWith("MISMATCH", StringComparison.Ordinal));

            // A file taken out, and a file slipped in.
            var removedPath = Path.Combine(folder, "removed.zip");
            File.Copy(pack, removedPath);
            using (var zip = ZipFile.Open(removedPath, ZipArchiveMode.Update))
            {
                zip.GetEntry("management-reviews/MR-001-minutes.docx")!.Delete();
            }

            var removed = await app.RunCliAsync("", "audit-pack", "verify", removedPath);
            Assert.Equal(1, removed.ExitCode);
            Assert.Contains("MISMATCH management-reviews/MR-001-minutes.docx: listed in the manifest but missing from the pack", removed.Stdout, StringComparison.Ordinal);

            var addedPath = Path.Combine(folder, "added.zip");
            File.Copy(pack, addedPath);
            using (var zip = ZipFile.Open(addedPath, ZipArchiveMode.Update))
            {
                using var writer = new StreamWriter(zip.CreateEntry("evidence/2026-04/extra.pdf").Open());
                writer.Write("not part of the pack");
            }

            var added = await app.RunCliAsync("", "audit-pack", "verify", addedPath);
            Assert.Equal(1, added.ExitCode);
            Assert.Contains("MISMATCH evidence/2026-04/extra.pdf: in the pack but not listed in the manifest", added.Stdout, StringComparison.Ordinal);

            // A manifest edited to match a changed file no longer matches its own hash.
            var editedPath = Path.Combine(folder, "edited.zip");
            File.Copy(pack, editedPath);
            using (var zip = ZipFile.Open(editedPath, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry("manifest.json")!;
                string text;
                using (var reader = new StreamReader(entry.Open()))
                {
                    text = reader.ReadToEnd();
                }

                entry.Delete();
                using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
                writer.Write(text.Replace("Backup report, April", "Backup report, May", StringComparison.Ordinal));
            }

            var edited = await app.RunCliAsync("", "audit-pack", "verify", editedPath);
            Assert.Equal(1, edited.ExitCode);
            Assert.Contains("MISMATCH manifest.json: its SHA-256 is", edited.Stdout, StringComparison.Ordinal);
            var expectedHash = await app.RunCliAsync("", "audit-pack", "verify", pack, "--manifest-sha256", new string('0', 64));
            Assert.Equal(1, expectedHash.ExitCode);

            // Bad options and unknown names change nothing and say what is wrong.
            var both = await app.RunCliAsync("", "audit-pack", "--org", "acme", "--audit-date", "2026-05-01", "--audit", world.AuditId.ToString(), "--out", pack);
            Assert.Equal(2, both.ExitCode);
            var noOut = await app.RunCliAsync("", "audit-pack", "--org", "acme", "--audit-date", "2026-05-01");
            Assert.Equal((2, true), (noOut.ExitCode, noOut.Stderr.Contains("--out", StringComparison.Ordinal)));
            var badDate = await app.RunCliAsync("", "audit-pack", "--org", "acme", "--audit-date", "1 May", "--out", pack);
            Assert.Equal((2, true), (badDate.ExitCode, badDate.Stderr.Contains("--audit-date", StringComparison.Ordinal)));
            var unknown = await app.RunCliAsync("", "audit-pack", "--org", "nobody", "--audit-date", "2026-05-01", "--out", pack);
            Assert.Equal(1, unknown.ExitCode);
            var notZip = Path.Combine(folder, "not.zip");
            await File.WriteAllTextAsync(notZip, "hello");
            Assert.Equal(2, (await app.RunCliAsync("", "audit-pack", "verify", notZip)).ExitCode);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(pack));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
