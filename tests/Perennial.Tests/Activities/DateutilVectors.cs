using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Perennial.Activities;

namespace Perennial.Tests.Activities;

/// <summary>
/// One test method of dateutil's <c>test_rrule.py</c>: either a case Perennial can run (the
/// <c>rrule(...)</c> arguments turned into RRULE text, DTSTART, EXDATEs and the expected
/// instances) or the reason it is left out.
/// </summary>
internal sealed record DateutilCase(string Name, int Line, string? SkipReason, string Rule, DateTime DtStart, IReadOnlyList<DateTime> ExceptionDates, IReadOnlyList<DateTime> Expected, bool AllDay = false)
{
    public bool Used => SkipReason is null;

    public string Label => $"{Name} (line {Line}): DTSTART:{DtStart.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)} RRULE:{Rule}";

    /// <summary>
    /// The case as a Perennial schedule. dateutil's datetimes here are naive (no zone), so the
    /// schedule runs in UTC, where wall-clock time has no daylight-saving shifts.
    /// </summary>
    public ActivitySchedule ToSchedule() => new(Rule, DtStart, "UTC",
        [.. ExceptionDates.Select(d => d.ToString(ActivitySchedule.ExceptionDateFormat, CultureInfo.InvariantCulture))])
    { AllDay = AllDay };
}

/// <summary>
/// Reads dateutil's rrule tests as data: finds each test method, recognises the two shapes that
/// state an expansion (<c>assertEqual(list(rrule(...)), [datetime(...), ...])</c>, and an
/// <c>rruleset</c> of one rrule with <c>exdate</c>s), and translates the keyword arguments into an
/// RFC 5545 RRULE. Everything else is skipped by rule, with the reason.
/// </summary>
internal static partial class DateutilVectors
{
    public const string ReasonEaster = "BYEASTER (days from Easter) is a dateutil extension, not RFC 5545";
    public const string ReasonZones = "time zones given as Python tzinfo objects or to dateutil's string parser";
    public const string ReasonRoundTrip = "round trip through dateutil's own string form; no instances to compare";
    public const string ReasonStringVariants = "text dateutil's parser accepts beyond plain RFC 5545 (lower case, blanks, folding, no DTSTART, BYWEEKDAY, several rules, RDATE, EXRULE)";
    public const string ReasonNotRfc = "a rule part RFC 5545 does not allow with this frequency (BYWEEKNO other than YEARLY; BYYEARDAY with DAILY, WEEKLY or MONTHLY; BYMONTHDAY with WEEKLY), which dateutil applies anyway";
    public const string ReasonCache = "dateutil's result cache, not recurrence";
    public const string ReasonErrors = "checks dateutil's own errors and warnings, not instances";
    public const string ReasonQueries = "dateutil's query API (indexing, slicing, count, before/after/xafter/between, containment, replace) rather than a plain expansion";
    public const string ReasonSets = "rruleset with RDATEs, EXRULEs or several RRULEs (a Perennial schedule is one RRULE with EXDATEs)";
    public const string ReasonWeekdayObjects = "dateutil's weekday objects, no recurrence";
    public const string ReasonSubSecond = "sub-second DTSTART (RFC 5545 times are whole seconds)";
    public const string ReasonPython2 = "Python 2 only (long integers)";
    public const string ReasonOther = "not an expansion compared with a list of datetimes (for example a check of the type dateutil returns)";

    private static readonly string[] Weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    private static readonly string[] Frequencies = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"];

    public static IReadOnlyList<DateutilCase> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var cases = new List<DateutilCase>();
        string? currentClass = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var classMatch = ClassLine().Match(lines[i]);
            if (classMatch.Success)
            {
                currentClass = classMatch.Groups["name"].Value;
                continue;
            }

            var def = DefLine().Match(lines[i]);
            if (!def.Success)
            {
                continue;
            }

            var indent = def.Groups["indent"].Value.Length;
            if (indent == 0)
            {
                currentClass = null;
            }

            var body = new List<string>();
            var end = i + 1;
            for (; end < lines.Length; end++)
            {
                var line = lines[end];
                if (line.Trim().Length > 0 && line.Length - line.TrimStart().Length <= indent)
                {
                    break;
                }

                if (!line.TrimStart().StartsWith('#'))
                {
                    body.Add(line);
                }
            }

            cases.Add(Classify(def.Groups["name"].Value, i + 1, currentClass, string.Join('\n', body)));
            i = end - 1;
        }

        return cases;
    }

    private static DateutilCase Classify(string name, int line, string? className, string body)
    {
        DateutilCase Skip(string reason) => new(name, line, reason, "", default, [], []);

        if (className == "WeekdayTest")
        {
            return Skip(ReasonWeekdayObjects);
        }

        if (body.Contains("isinstance", StringComparison.Ordinal))
        {
            return Skip(ReasonOther);
        }

        if (body.Contains("byeaster", StringComparison.Ordinal))
        {
            return Skip(ReasonEaster);
        }

        if (body.Contains("_rrulestr_reverse_test", StringComparison.Ordinal) || StrCall().IsMatch(body))
        {
            return Skip(ReasonRoundTrip);
        }

        if (body.Contains("tzinfo", StringComparison.Ordinal) || body.Contains("tz.", StringComparison.Ordinal)
            || body.Contains("tzids", StringComparison.Ordinal) || body.Contains("TZID", StringComparison.Ordinal))
        {
            return Skip(ReasonZones);
        }

        if (body.Contains("cache", StringComparison.Ordinal))
        {
            return Skip(ReasonCache);
        }

        if (body.Contains("assertRaises", StringComparison.Ordinal) || body.Contains("pytest.raises", StringComparison.Ordinal)
            || body.Contains("pytest.warns", StringComparison.Ordinal))
        {
            return Skip(ReasonErrors);
        }

        if (body.Contains("PY2", StringComparison.Ordinal) || body.Contains("long(", StringComparison.Ordinal))
        {
            return Skip(ReasonPython2);
        }

        if (body.Contains("rruleset", StringComparison.Ordinal)
            && (body.Contains(".rdate(", StringComparison.Ordinal) || body.Contains(".exrule(", StringComparison.Ordinal)
                || Regex.Count(body, @"\.rrule\(") != 1))
        {
            return Skip(ReasonSets);
        }

        List<Statement> statements;
        try
        {
            // Docstrings are statements too; they say nothing about the rule.
            statements = [.. new PythonReader(body).Statements().Where(s => s.Target is not null || s.Value is not Text)];
        }
        catch (FormatException)
        {
            return Skip(body.Contains(" in rr", StringComparison.Ordinal) || body.Contains("for ", StringComparison.Ordinal) ? ReasonQueries : ReasonOther);
        }

        if (statements.Any(s => Mentions(s.Value, "between", "before", "after", "xafter", "count", "replace") || s.Value.Walk().Any(e => e is Subscript)))
        {
            return Skip(ReasonQueries);
        }

        // Shape 1: self.assertEqual(list(rrule(...)), [datetime(...), ...])
        if (statements is [{ Target: null, Value: Call { Function: Attribute(_, "assertEqual") } assert }]
            && assert.Args is [(null, Call { Function: Name("list"), Args: [(null, Call { Function: Name("rrule") } rule)] }), (null, ListExpr expected)])
        {
            return Translate(name, line, rule, [], expected);
        }

        // Shape 2: an rruleset of one rrule and some exdates, compared as a list.
        if (statements.Count >= 3
            && statements[0] is { Target: string set, Value: Call { Function: Name("rruleset") } }
            && statements[1] is { Target: null, Value: Call { Function: Attribute(Name n1, "rrule"), Args: [(null, Call { Function: Name("rrule") } setRule)] } } && n1.Id == set
            && statements[^1] is { Target: null, Value: Call { Function: Attribute(_, "assertEqual"), Args: [(null, Call { Function: Name("list"), Args: [(null, Name n2)] }), (null, ListExpr setExpected)] } } && n2.Id == set)
        {
            var exdates = new List<Expr>();
            foreach (var statement in statements.Skip(2).SkipLast(1))
            {
                if (statement is { Target: null, Value: Call { Function: Attribute(Name n3, "exdate"), Args: [(null, var date)] } } && n3.Id == set)
                {
                    exdates.Add(date);
                }
                else
                {
                    return Skip(ReasonSets);
                }
            }

            return Translate(name, line, setRule, exdates, setExpected);
        }

        // Shape 3: RFC 5545 text given to rrulestr, directly or through variables.
        var strings = statements.Where(s => s.Target is not null && StringValue(s.Value) is not null).ToDictionary(s => s.Target!, s => StringValue(s.Value)!);
        var rest = statements.Where(s => s.Target is null || !strings.ContainsKey(s.Target)).ToList();
        if (rest is [{ Target: null, Value: Call { Function: Attribute(_, "assertEqual"), Args: [(null, Call { Function: Name("list"), Args: [(null, Call { Function: Name("rrulestr") } text)] }), (null, ListExpr textExpected)] } }])
        {
            return FromText(name, line, text, strings, textExpected);
        }

        if (rest is [{ Target: string variable, Value: Call { Function: Name("rrulestr") } text2 }, { Target: null, Value: Call { Function: Attribute(_, "assertEqual"), Args: [(null, Call { Function: Name("list"), Args: [(null, Name n4)] }), (null, ListExpr textExpected2)] } }]
            && n4.Id == variable)
        {
            return FromText(name, line, text2, strings, textExpected2);
        }

        return Skip(body.Contains("rrulestr", StringComparison.Ordinal) ? ReasonStringVariants : ReasonOther);
    }

    /// <summary>
    /// A case whose rule is RFC 5545 text: used only when it is plain (upper-case DTSTART, one
    /// RRULE with RFC 5545 parts, EXDATEs, nothing else), since the rest tests dateutil's parser.
    /// </summary>
    private static DateutilCase FromText(string name, int line, Call rrulestr, Dictionary<string, string> strings, ListExpr expected)
    {
        DateutilCase Skip(string reason) => new(name, line, reason, "", default, [], []);
        var text = rrulestr.Args switch
        {
            [(null, Name variable)] => strings.GetValueOrDefault(variable.Id),
            [(null, var argument)] => StringValue(argument),
            _ => null,
        };
        if (text is null)
        {
            return Skip(ReasonStringVariants);
        }

        var lines = text.Split('\n');
        if (lines[^1].Length == 0)
        {
            lines = lines[..^1];
        }

        string? rule = null;
        DateTime? dtStart = null;
        var allDay = false;
        var exdates = new List<DateTime>();
        string[] rfcParts = ["FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"];
        foreach (var textLine in lines)
        {
            var match = TextLine().Match(textLine);
            if (!match.Success)
            {
                return Skip(ReasonStringVariants);
            }

            var isDate = match.Groups["type"].Value == "DATE";
            var value = match.Groups["value"].Value;
            switch (match.Groups["name"].Value)
            {
                case "DTSTART" when dtStart is null && TryParseValue(value, isDate, out var start):
                    dtStart = start;
                    allDay = isDate;
                    break;
                case "RRULE" when rule is null && value.Split(';').All(p => rfcParts.Contains(p.Split('=')[0])):
                    rule = value;
                    break;
                case "EXDATE":
                    foreach (var item in value.Split(','))
                    {
                        if (!TryParseValue(item, isDate, out var exdate))
                        {
                            return Skip(ReasonStringVariants);
                        }

                        exdates.Add(exdate);
                    }

                    break;
                default:
                    return Skip(ReasonStringVariants);
            }
        }

        var values = expected.Items.Select(e => DateValue(e, out var subSecond) is var v && v != default && !subSecond ? v : (DateTime?)null).ToList();
        if (rule is null || dtStart is null || values.Any(v => v is null))
        {
            return Skip(ReasonStringVariants);
        }

        return NotRfc(rule) ? Skip(ReasonNotRfc) : new DateutilCase(name, line, null, rule, dtStart.Value, exdates, [.. values.Select(v => v!.Value)], allDay);
    }

    private static bool TryParseValue(string text, bool isDate, out DateTime value) =>
        DateTime.TryParseExact(text, isDate ? "yyyyMMdd" : "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>A string literal, adjacent literals joined, or <c>'sep'.join([...])</c>.</summary>
    private static string? StringValue(Expr expr) => expr switch
    {
        Text t => t.Value,
        Call { Function: Attribute(Text separator, "join"), Args: [(null, ListExpr items)] } when items.Items.All(i => i is Text) =>
            string.Join(separator.Value, items.Items.Select(i => ((Text)i).Value)),
        _ => null,
    };

    /// <summary>Rule parts RFC 5545 (3.3.10) does not allow with the rule's frequency.</summary>
    private static bool NotRfc(string rule)
    {
        var parts = rule.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        var freq = parts.GetValueOrDefault("FREQ");
        return (parts.ContainsKey("BYWEEKNO") && freq != "YEARLY")
            || (parts.ContainsKey("BYYEARDAY") && freq is "DAILY" or "WEEKLY" or "MONTHLY")
            || (parts.ContainsKey("BYMONTHDAY") && freq == "WEEKLY");
    }

    private static bool Mentions(Expr expr, params string[] attributes) =>
        expr.Walk().Any(e => e is Attribute a && attributes.Contains(a.Name));

    private static DateutilCase Translate(string name, int line, Call rrule, List<Expr> exdates, ListExpr expected)
    {
        DateutilCase Skip(string reason) => new(name, line, reason, "", default, [], []);

        Expr[] dates = [rrule.Keyword("dtstart") ?? new Name("None"), .. exdates, .. expected.Items];
        var values = dates.Select(d => (Value: DateValue(d, out var subSecond), SubSecond: subSecond)).ToList();
        if (values.Any(v => v.Value == default))
        {
            return Skip(ReasonOther);
        }

        if (values.Any(v => v.SubSecond))
        {
            return Skip(ReasonSubSecond);
        }

        string rule;
        try
        {
            rule = ToRrule(rrule);
        }
        catch (FormatException)
        {
            return Skip(ReasonOther);
        }

        if (NotRfc(rule))
        {
            return Skip(ReasonNotRfc);
        }

        return new DateutilCase(name, line, null, rule, values[0].Value,
            [.. values.Skip(1).Take(exdates.Count).Select(v => v.Value)],
            [.. values.Skip(1 + exdates.Count).Select(v => v.Value)]);
    }

    /// <summary>The RRULE for dateutil's <c>rrule(FREQ, keyword=value, ...)</c>.</summary>
    public static string ToRrule(Call rrule)
    {
        ArgumentNullException.ThrowIfNull(rrule);
        var freqExpr = rrule.Args.FirstOrDefault(a => a.Key is null).Value ?? rrule.Keyword("freq")
            ?? throw new FormatException("rrule without a frequency.");
        var freq = freqExpr is Name f && Frequencies.Contains(f.Id) ? f.Id : throw new FormatException($"unknown frequency {freqExpr}.");
        var parts = new List<string> { "FREQ=" + freq };
        string[] order = ["interval", "count", "until", "bymonth", "byweekno", "byyearday", "bymonthday", "byweekday", "byhour", "byminute", "bysecond", "bysetpos", "wkst"];
        foreach (var (key, _) in rrule.Args.Where(a => a.Key is not null))
        {
            if (key != "dtstart" && key != "freq" && !order.Contains(key))
            {
                throw new FormatException($"unsupported keyword {key}.");
            }
        }

        foreach (var key in order)
        {
            if (rrule.Keyword(key) is not { } value)
            {
                continue;
            }

            parts.Add(key switch
            {
                "until" => "UNTIL=" + DateValue(value, out _).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
                "byweekday" => "BYDAY=" + string.Join(',', Items(value).Select(v => Weekday(v, freq))),
                "wkst" => "WKST=" + Weekday(value, "WEEKLY"),
                _ => key.ToUpperInvariant() + "=" + string.Join(',', Items(value).Select(Integer)),
            });
        }

        return string.Join(';', parts);
    }

    private static IEnumerable<Expr> Items(Expr value) => value is TupleExpr t ? t.Items : value is ListExpr l ? l.Items : [value];

    private static string Integer(Expr value) => value is Number n ? n.Value.ToString(CultureInfo.InvariantCulture) : throw new FormatException($"{value} is not an integer.");

    /// <summary>
    /// MO, TU(+1), TH(-1) or 0–6. dateutil ignores the ordinal of a weekday when the frequency is
    /// finer than monthly (RFC 5545 does not allow one there), so the translation drops it too.
    /// </summary>
    private static string Weekday(Expr value, string freq)
    {
        var ordinalAllowed = freq is "YEARLY" or "MONTHLY";
        return value switch
        {
            Name n when Weekdays.Contains(n.Id) => n.Id,
            Number { Value: >= 0 and <= 6 } d => Weekdays[d.Value],
            Call { Function: Name n, Args: [(null, Number k)] } when Weekdays.Contains(n.Id) =>
                (ordinalAllowed && k.Value != 0 ? k.Value.ToString(CultureInfo.InvariantCulture) : "") + n.Id,
            _ => throw new FormatException($"{value} is not a weekday."),
        };
    }

    /// <summary>datetime(y, m, d[, h, mi, s[, µs]]) or date(y, m, d) (midnight, as dateutil treats it).</summary>
    private static DateTime DateValue(Expr value, out bool subSecond)
    {
        subSecond = false;
        if (value is not Call { Function: Name { Id: "datetime" or "date" } } call || call.Args.Any(a => a.Key is not null || a.Value is not Number))
        {
            return default;
        }

        var n = call.Args.Select(a => ((Number)a.Value).Value).ToArray();
        subSecond = n.Length > 6 && n[6] != 0;
        return new DateTime(n[0], n[1], n[2], n.ElementAtOrDefault(3), n.ElementAtOrDefault(4), n.ElementAtOrDefault(5), DateTimeKind.Unspecified);
    }

    [GeneratedRegex(@"(?<![\w.])str\(")]
    private static partial Regex StrCall();

    [GeneratedRegex(@"^(?<name>DTSTART|RRULE|EXDATE)(;VALUE=(?<type>DATE-TIME|DATE))?:(?<value>[^\s]+)$")]
    private static partial Regex TextLine();

    [GeneratedRegex(@"^class (?<name>\w+)")]
    private static partial Regex ClassLine();

    [GeneratedRegex(@"^(?<indent>[ ]*)def (?<name>test\w*)\(")]
    private static partial Regex DefLine();
}

/// <summary>The few Python expressions the test file uses for rrule arguments and expected values.</summary>
internal abstract record Expr
{
    public IEnumerable<Expr> Walk()
    {
        yield return this;
        IEnumerable<Expr> children = this switch
        {
            Call c => [c.Function, .. c.Args.Select(a => a.Value)],
            Attribute a => [a.Target],
            Subscript s => [s.Target],
            TupleExpr t => t.Items,
            ListExpr l => l.Items,
            _ => [],
        };
        foreach (var child in children.SelectMany(c => c.Walk()))
        {
            yield return child;
        }
    }
}

internal sealed record Name(string Id) : Expr
{
    public override string ToString() => Id;
}

internal sealed record Number(int Value) : Expr
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

internal sealed record Text(string Value) : Expr;

internal sealed record Attribute(Expr Target, string Name) : Expr;

internal sealed record Subscript(Expr Target) : Expr;

internal sealed record TupleExpr(IReadOnlyList<Expr> Items) : Expr;

internal sealed record ListExpr(IReadOnlyList<Expr> Items) : Expr;

internal sealed record Call(Expr Function, IReadOnlyList<(string? Key, Expr Value)> Args) : Expr
{
    public Expr? Keyword(string key) => Args.FirstOrDefault(a => a.Key == key).Value;

    public override string ToString() => $"{Function}({string.Join(", ", Args.Select(a => (a.Key is null ? "" : a.Key + "=") + a.Value))})";
}

/// <summary>One statement of a method body: an optional assignment target and an expression.</summary>
internal sealed record Statement(string? Target, Expr Value);

/// <summary>
/// A recursive-descent reader for simple Python statements (assignments and expressions spanning
/// lines inside brackets). Anything else (loops, with-blocks, lambdas) is a <see cref="FormatException"/>.
/// </summary>
internal sealed class PythonReader(string source)
{
    private readonly List<string> tokens = Tokenise(source);
    private int position;

    public List<Statement> Statements()
    {
        var statements = new List<Statement>();
        while (Peek() is not null)
        {
            if (Peek() == "\n")
            {
                position++;
                continue;
            }

            string? target = null;
            if (Peek() == "assert")
            {
                // assert A == B reads as self.assertEqual(A, B).
                position++;
                var left = Expression();
                if (Next() != "=" || Next() != "=")
                {
                    throw new FormatException("only 'assert A == B' is understood.");
                }

                statements.Add(new Statement(null, new Call(new Attribute(new Name("self"), "assertEqual"), [(null, left), (null, Expression())])));
            }
            else
            {
                if (position + 1 < tokens.Count && tokens[position + 1] == "=" && tokens.ElementAtOrDefault(position + 2) != "=" && IsIdentifier(tokens[position]))
                {
                    target = tokens[position];
                    position += 2;
                }

                statements.Add(new Statement(target, Expression()));
            }

            if (Peek() is not (null or "\n"))
            {
                throw new FormatException($"unexpected '{Peek()}'.");
            }
        }

        return statements;
    }

    private Expr Expression()
    {
        var expr = Primary();
        while (true)
        {
            switch (Peek())
            {
                case "(":
                    position++;
                    expr = new Call(expr, Arguments(")"));
                    break;
                case ".":
                    position++;
                    expr = new Attribute(expr, Identifier());
                    break;
                case "[":
                    position++;
                    var depth = 1;
                    while (depth > 0)
                    {
                        var token = Next();
                        depth += token switch { "[" => 1, "]" => -1, _ => 0 };
                    }

                    expr = new Subscript(expr);
                    break;
                default:
                    return expr;
            }
        }
    }

    private Expr Primary()
    {
        var token = Next();
        if (token is "-" or "+")
        {
            var number = Next();
            return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? new Number(token == "-" ? -n : n) : throw new FormatException($"'{token}{number}' is not a number.");
        }

        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return new Number(value);
        }

        if (IsString(token))
        {
            // Adjacent literals are one string in Python.
            var text = new StringBuilder(token[1..^1]);
            while (Peek() is string next && IsString(next))
            {
                text.Append(Next()[1..^1]);
            }

            return new Text(text.ToString());
        }

        if (token == "(")
        {
            var items = Arguments(")");
            return items.Count == 1 && !tokens[position - 2].Equals(",", StringComparison.Ordinal) ? items[0].Value : new TupleExpr([.. items.Select(i => i.Value)]);
        }

        if (token == "[")
        {
            return new ListExpr([.. Arguments("]").Select(i => i.Value)]);
        }

        if (IsIdentifier(token) && token is not ("for" or "in" or "with" or "if" or "lambda" or "def" or "assert" or "not"))
        {
            return new Name(token);
        }

        throw new FormatException($"unexpected '{token}'.");
    }

    private List<(string? Key, Expr Value)> Arguments(string close)
    {
        var args = new List<(string?, Expr)>();
        while (Peek() != close)
        {
            string? key = null;
            if (position + 1 < tokens.Count && tokens[position + 1] == "=" && IsIdentifier(tokens[position]))
            {
                key = tokens[position];
                position += 2;
            }

            args.Add((key, Expression()));
            if (Peek() == ",")
            {
                position++;
            }
            else if (Peek() != close)
            {
                throw new FormatException($"expected ',' or '{close}', found '{Peek()}'.");
            }
        }

        position++;
        return args;
    }

    private string Identifier()
    {
        var token = Next();
        return IsIdentifier(token) ? token : throw new FormatException($"'{token}' is not a name.");
    }

    private string? Peek() => position < tokens.Count ? tokens[position] : null;

    private string Next() => position < tokens.Count ? tokens[position++] : throw new FormatException("unexpected end.");

    private static bool IsString(string token) => token.Length >= 2 && token[0] is '"' or '\'';

    private static bool IsIdentifier(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');

    /// <summary>Names, numbers, strings and punctuation; a newline token only outside brackets.</summary>
    private static List<string> Tokenise(string text)
    {
        var tokens = new List<string>();
        var depth = 0;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c == '\n')
            {
                if (depth == 0 && tokens.Count > 0 && tokens[^1] != "\n")
                {
                    tokens.Add("\n");
                }

                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(text[start..i]);
            }
            else if (c is '"' or '\'')
            {
                var builder = new StringBuilder().Append(c);
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                        builder.Append(text[i] switch { 'n' => '\n', 't' => '\t', var other => other });
                    }
                    else
                    {
                        builder.Append(text[i]);
                    }

                    i++;
                }

                tokens.Add(builder.Append(c).ToString());
                i++;
            }
            else
            {
                depth += c switch { '(' or '[' or '{' => 1, ')' or ']' or '}' => -1, _ => 0 };
                tokens.Add(c.ToString());
                i++;
            }
        }

        return tokens;
    }
}
