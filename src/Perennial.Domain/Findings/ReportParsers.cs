using System.Globalization;
using System.Text.Json;
using Perennial.Common;

namespace Perennial.Findings;

/// <summary>One problem as a report states it, before it is matched with what earlier reports said.</summary>
public sealed record ReportedFinding(
    string RuleId, string Title, FindingSeverity Severity, string? PackageName, string? InstalledVersion, string? FixedVersion, string? Location,
    string Identity);

/// <summary>
/// What one scanner said about one target. A report with a scope but no findings says the target is
/// clean: every open finding of that scope is fixed.
/// </summary>
public sealed record ReportScope(string Tool, string Target, IReadOnlyList<ReportedFinding> Findings);

/// <summary>A parsed report: its format, its scopes, and how many components an SBOM listed.</summary>
public sealed record ParsedReport(string Format, IReadOnlyList<ReportScope> Scopes, int? ComponentCount = null)
{
    public int FindingCount => Scopes.Sum(s => s.Findings.Count);
}

/// <summary>Reads Trivy JSON (SchemaVersion 2), SARIF 2.1.0 and CycloneDX JSON into scopes and findings.</summary>
public static class ReportParsers
{
    public const string Trivy = "trivy";
    public const string Sarif = "sarif";
    public const string CycloneDx = "cyclonedx";
    public const string Auto = "auto";

    public static readonly IReadOnlyList<string> Formats = [Trivy, Sarif, CycloneDx, Auto];

    /// <summary>The format a document looks like, or null when it is none of the three.</summary>
    public static string? Detect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("SchemaVersion", out _) && (root.TryGetProperty("Results", out _) || root.TryGetProperty("ArtifactName", out _)))
        {
            return Trivy;
        }

        if (root.TryGetProperty("runs", out var runs) && runs.ValueKind == JsonValueKind.Array && root.TryGetProperty("version", out _))
        {
            return Sarif;
        }

        if (root.TryGetProperty("bomFormat", out var bom) && bom.ValueKind == JsonValueKind.String && bom.GetString() == "CycloneDX")
        {
            return CycloneDx;
        }

        return null;
    }

    public static ParsedReport Parse(JsonElement root, string format, string fileName)
    {
        var detected = Detect(root);
        if (detected is null)
        {
            throw Invalid(fileName, "not a Trivy, SARIF or CycloneDX report");
        }

        if (format != Auto && format != detected)
        {
            throw Invalid(fileName, $"not a {Label(format)} report (it looks like {Label(detected)}); send report \"{detected}\" or \"auto\"");
        }

        var reader = new Reader(fileName);
        return detected switch
        {
            Trivy => reader.Trivy(root),
            Sarif => reader.Sarif(root),
            _ => reader.CycloneDx(root),
        };
    }

    public static string Label(string format) => format switch
    {
        Trivy => "Trivy",
        Sarif => "SARIF",
        CycloneDx => "CycloneDX",
        _ => format,
    };

    internal static UseCaseException Invalid(string fileName, string message) => UseCaseException.Invalid("file", $"{fileName}: {message}.");

    /// <summary>Maps a SARIF security-severity score (CVSS-like, 0–10) as code-scanning tools do.</summary>
    public static FindingSeverity FromScore(double score) => score switch
    {
        >= 9.0 => FindingSeverity.Critical,
        >= 7.0 => FindingSeverity.High,
        >= 4.0 => FindingSeverity.Medium,
        > 0 => FindingSeverity.Low,
        _ => FindingSeverity.Info,
    };

    /// <summary>SARIF levels without a security-severity: error, warning, note, none.</summary>
    public static FindingSeverity FromSarifLevel(string? level) => level switch
    {
        "error" => FindingSeverity.High,
        "warning" => FindingSeverity.Medium,
        "note" => FindingSeverity.Low,
        "none" => FindingSeverity.Info,
        _ => FindingSeverity.Medium,
    };

    private sealed class Reader(string fileName)
    {
        public ParsedReport Trivy(JsonElement root)
        {
            var schema = root.GetProperty("SchemaVersion");
            if (schema.ValueKind != JsonValueKind.Number || !schema.TryGetInt32(out var version) || version != 2)
            {
                throw Invalid(fileName, $"Trivy SchemaVersion {schema.GetRawText()} is not supported; Perennial reads SchemaVersion 2 (trivy --format json)");
            }

            var target = Text(root, "ArtifactName") ?? fileName;
            var findings = new List<ReportedFinding>();
            var r = 0;
            foreach (var result in Array(root, "Results", "Results"))
            {
                var at = $"Results[{r++}]";
                var resultTarget = Text(result, "Target");
                var resultClass = Text(result, "Class") ?? "";
                var i = 0;
                foreach (var v in Array(result, "Vulnerabilities", $"{at}.Vulnerabilities"))
                {
                    var id = Required(v, "VulnerabilityID", $"{at}.Vulnerabilities[{i++}]");
                    var package = Text(v, "PkgName");
                    var path = Text(v, "PkgPath");
                    findings.Add(new ReportedFinding(
                        id, Text(v, "Title") ?? id, TrivySeverity(v), package, Text(v, "InstalledVersion"), Text(v, "FixedVersion"),
                        path ?? resultTarget,
                        Identity("vuln", resultClass, id, package, path)));
                }

                i = 0;
                foreach (var m in Array(result, "Misconfigurations", $"{at}.Misconfigurations"))
                {
                    var mat = $"{at}.Misconfigurations[{i++}]";
                    if (Text(m, "Status") is { } status && !status.Equals("FAIL", StringComparison.OrdinalIgnoreCase))
                    {
                        continue; // PASS and EXCEPTION entries are checks that did not fail.
                    }

                    var id = Text(m, "AVDID") ?? Required(m, "ID", mat);
                    var line = m.TryGetProperty("CauseMetadata", out var cause) && cause.ValueKind == JsonValueKind.Object ? Number(cause, "StartLine") : null;
                    var resource = cause.ValueKind == JsonValueKind.Object ? Text(cause, "Resource") : null;
                    findings.Add(new ReportedFinding(
                        id, Text(m, "Title") ?? Text(m, "Message") ?? id, TrivySeverity(m), null, null, null,
                        Location(resultTarget, line),
                        Identity("misconfig", id, resultTarget, resource, line?.ToString(CultureInfo.InvariantCulture))));
                }

                i = 0;
                foreach (var s in Array(result, "Secrets", $"{at}.Secrets"))
                {
                    var id = Required(s, "RuleID", $"{at}.Secrets[{i++}]");
                    var line = Number(s, "StartLine");
                    findings.Add(new ReportedFinding(
                        id, Text(s, "Title") ?? id, TrivySeverity(s), null, null, null,
                        Location(resultTarget, line),
                        Identity("secret", id, resultTarget, line?.ToString(CultureInfo.InvariantCulture))));
                }
            }

            return new ParsedReport(ReportParsers.Trivy, [new ReportScope("Trivy", target, findings)]);
        }

        public ParsedReport Sarif(JsonElement root)
        {
            var version = Text(root, "version");
            if (version != "2.1.0")
            {
                throw Invalid(fileName, $"SARIF version {version ?? "(none)"} is not supported; Perennial reads SARIF 2.1.0");
            }

            var scopes = new List<(string Tool, string Target, List<ReportedFinding> Findings)>();
            var r = 0;
            foreach (var run in Array(root, "runs", "runs"))
            {
                var at = $"runs[{r++}]";
                var driver = run.TryGetProperty("tool", out var tool) && tool.ValueKind == JsonValueKind.Object
                    && tool.TryGetProperty("driver", out var d) && d.ValueKind == JsonValueKind.Object
                    ? d : throw Invalid(fileName, $"{at}.tool.driver is missing");
                var toolName = Text(driver, "name") ?? throw Invalid(fileName, $"{at}.tool.driver.name is missing");
                var rules = Array(driver, "rules", $"{at}.tool.driver.rules").ToList();
                var artifacts = Array(run, "artifacts", $"{at}.artifacts").ToList();
                var target = RepositoryOf(run) ?? fileName;
                var scope = scopes.FirstOrDefault(s => s.Tool == toolName && s.Target == target);
                if (scope.Findings is null)
                {
                    scope = (toolName, target, []);
                    scopes.Add(scope);
                }

                var i = 0;
                foreach (var result in Array(run, "results", $"{at}.results"))
                {
                    var rat = $"{at}.results[{i++}]";
                    if (Text(result, "kind") is "pass" or "notApplicable")
                    {
                        continue; // Not a problem: the check passed or did not apply.
                    }

                    var rule = RuleOf(result, rules);
                    var ruleId = Text(result, "ruleId") ?? (rule is { } found ? Text(found, "id") : null)
                        ?? (result.TryGetProperty("rule", out var reference) && reference.ValueKind == JsonValueKind.Object ? Text(reference, "id") : null)
                        ?? throw Invalid(fileName, $"{rat} has no ruleId");
                    var message = result.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? Text(m, "text") : null;
                    var ruleText = rule is { } rl && rl.TryGetProperty("shortDescription", out var sd) && sd.ValueKind == JsonValueKind.Object ? Text(sd, "text") : null;
                    var title = ruleText ?? FirstLine(message) ?? ruleId;
                    var location = LocationOf(result, artifacts);
                    var fingerprint = FingerprintOf(result, "fingerprints") ?? FingerprintOf(result, "partialFingerprints");
                    scope.Findings.Add(new ReportedFinding(
                        ruleId, title, SarifSeverity(result, rule), null, null, null, location,
                        fingerprint is not null ? Identity("sarif", ruleId, fingerprint) : Identity("sarif", ruleId, location, message)));
                }
            }

            return new ParsedReport(ReportParsers.Sarif, [.. scopes.Select(s => new ReportScope(s.Tool, s.Target, s.Findings))]);
        }

        public ParsedReport CycloneDx(JsonElement root)
        {
            var components = new Dictionary<string, (string Name, string? Version)>(StringComparer.Ordinal);
            var count = 0;
            Collect(root, "components", components, ref count);
            if (!root.TryGetProperty("vulnerabilities", out _))
            {
                // An SBOM without a vulnerabilities array says nothing about vulnerabilities: it is kept
                // as evidence, and neither opens nor fixes findings.
                return new ParsedReport(ReportParsers.CycloneDx, [], count);
            }

            var metadata = root.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object ? md : default;
            var target = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("component", out var mc) && mc.ValueKind == JsonValueKind.Object
                ? Text(mc, "name") ?? fileName : fileName;
            var toolName = metadata.ValueKind == JsonValueKind.Object ? ToolOf(metadata) : null;
            var findings = new List<ReportedFinding>();
            var i = 0;
            foreach (var v in Array(root, "vulnerabilities", "vulnerabilities"))
            {
                var at = $"vulnerabilities[{i++}]";
                var id = Required(v, "id", at);
                var severity = FindingSeverity.Unknown;
                foreach (var rating in Array(v, "ratings", $"{at}.ratings"))
                {
                    if (FindingNames.TryParseSeverity(Text(rating, "severity"), out var s) && s > severity)
                    {
                        severity = s;
                    }
                    else if (severity == FindingSeverity.Unknown && rating.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number)
                    {
                        severity = FromScore(score.GetDouble());
                    }
                }

                var title = FirstLine(Text(v, "description")) ?? FirstLine(Text(v, "detail")) ?? id;
                var affects = Array(v, "affects", $"{at}.affects").Select(a => Text(a, "ref")).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                if (affects.Count == 0)
                {
                    findings.Add(new ReportedFinding(id, title, severity, null, null, null, null, Identity("cdx", id)));
                }

                foreach (var reference in affects)
                {
                    var (name, version) = components.TryGetValue(reference, out var c) ? c : (reference, null);
                    findings.Add(new ReportedFinding(id, title, severity, name, version, null, null, Identity("cdx", id, name)));
                }
            }

            return new ParsedReport(ReportParsers.CycloneDx, [new ReportScope(toolName ?? "CycloneDX", target, findings)], count);
        }

        private void Collect(JsonElement parent, string name, Dictionary<string, (string, string?)> components, ref int count)
        {
            foreach (var component in Array(parent, name, name))
            {
                count++;
                var componentName = Text(component, "name") ?? "";
                if (Text(component, "bom-ref") is { } reference)
                {
                    components[reference] = (componentName, Text(component, "version"));
                }

                Collect(component, "components", components, ref count);
            }
        }

        private static string? ToolOf(JsonElement metadata)
        {
            if (!metadata.TryGetProperty("tools", out var tools))
            {
                return null;
            }

            // CycloneDX 1.4 lists tools; 1.5 and later group them as { components, services }.
            var list = tools.ValueKind == JsonValueKind.Array ? tools
                : tools.ValueKind == JsonValueKind.Object && tools.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Array ? c
                : default;
            return list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(t => Text(t, "name")).OfType<string>().FirstOrDefault() : null;
        }

        private static string? RepositoryOf(JsonElement run)
        {
            if (run.TryGetProperty("versionControlProvenance", out var vcp) && vcp.ValueKind == JsonValueKind.Array)
            {
                return vcp.EnumerateArray().Select(v => Text(v, "repositoryUri")).OfType<string>().FirstOrDefault();
            }

            return null;
        }

        private static JsonElement? RuleOf(JsonElement result, List<JsonElement> rules)
        {
            if (result.TryGetProperty("ruleIndex", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var n) && n >= 0 && n < rules.Count)
            {
                return rules[n];
            }

            if (Text(result, "ruleId") is { } id)
            {
                foreach (var rule in rules)
                {
                    if (Text(rule, "id") == id)
                    {
                        return rule;
                    }
                }
            }

            return null;
        }

        private static FindingSeverity SarifSeverity(JsonElement result, JsonElement? rule)
        {
            if (SecuritySeverity(result) is { } own)
            {
                return FromScore(own);
            }

            if (rule is { } r && SecuritySeverity(r) is { } fromRule)
            {
                return FromScore(fromRule);
            }

            var level = Text(result, "level");
            if (level is null && rule is { } withDefault && withDefault.TryGetProperty("defaultConfiguration", out var config) && config.ValueKind == JsonValueKind.Object)
            {
                level = Text(config, "level");
            }

            return FromSarifLevel(level ?? "warning");
        }

        private static double? SecuritySeverity(JsonElement element)
        {
            if (!element.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
                || !properties.TryGetProperty("security-severity", out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
        }

        private static string? LocationOf(JsonElement result, List<JsonElement> artifacts)
        {
            if (!result.TryGetProperty("locations", out var locations) || locations.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var location in locations.EnumerateArray())
            {
                if (!location.TryGetProperty("physicalLocation", out var physical) || physical.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                string? uri = null;
                if (physical.TryGetProperty("artifactLocation", out var artifact) && artifact.ValueKind == JsonValueKind.Object)
                {
                    uri = Text(artifact, "uri");
                    if (uri is null && artifact.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number
                        && index.TryGetInt32(out var n) && n >= 0 && n < artifacts.Count
                        && artifacts[n].TryGetProperty("location", out var al) && al.ValueKind == JsonValueKind.Object)
                    {
                        uri = Text(al, "uri");
                    }
                }

                var line = physical.TryGetProperty("region", out var region) && region.ValueKind == JsonValueKind.Object ? Number(region, "startLine") : null;
                if (uri is not null || line is not null)
                {
                    return Location(uri, line);
                }
            }

            return null;
        }

        private static string? FingerprintOf(JsonElement result, string name)
        {
            if (!result.TryGetProperty(name, out var prints) || prints.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var pairs = prints.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}").ToList();
            return pairs.Count == 0 ? null : string.Join(";", pairs);
        }

        private static FindingSeverity TrivySeverity(JsonElement element) =>
            FindingNames.TryParseSeverity(Text(element, "Severity"), out var severity) ? severity : FindingSeverity.Unknown;

        private IEnumerable<JsonElement> Array(JsonElement parent, string name, string path)
        {
            if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(fileName, $"{path} is not an array");
            }

            return value.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Object ? e : throw Invalid(fileName, $"{path}[{i}] is not an object"));
        }

        private string Required(JsonElement element, string name, string path) =>
            Text(element, name) ?? throw Invalid(fileName, $"{path}.{name} is missing");

        private static string? Text(JsonElement element, string name)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
            {
                return null;
            }

            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        }

        private static int? Number(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

        private static string? Location(string? file, int? line) =>
            file is null ? (line is { } l ? $"line {l}" : null) : line is { } n && n > 0 ? $"{file}:{n}" : file;

        private static string? FirstLine(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            var line = text.Trim().Split('\n', 2)[0].Trim();
            return line.Length == 0 ? null : line;
        }

        private static string Identity(params string?[] parts) => string.Join("\u001f", parts.Select(p => p ?? ""));
    }
}
