namespace Perennial.Frameworks.Oscal;

/// <summary>
/// An imported file is malformed or breaks a rule Perennial relies on. <see cref="Location"/> names
/// the place: a JSON path (<c>$.catalog.groups[3].controls[7].id</c>) or a YAML path, and
/// <see cref="Line"/> the line when it is known.
/// </summary>
public sealed class ImportFormatException : Exception
{
    public ImportFormatException(string location, int? line, int? column, string problem, string? more = null)
        : base(Describe(location, line, column, problem) + (more is null ? "" : $"; {more}"))
    {
        Location = location;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public ImportFormatException()
    {
        Location = "";
        Problem = "";
    }

    public ImportFormatException(string message)
        : base(message)
    {
        Location = "";
        Problem = message;
    }

    public ImportFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Location = "";
        Problem = message;
    }

    public string Location { get; }
    public int? Line { get; }
    public int? Column { get; }
    public string Problem { get; }

    private static string Describe(string location, int? line, int? column, string problem)
    {
        var where = line is null ? "" : column is null ? $" (line {line})" : $" (line {line}, column {column})";
        return $"{location}: {problem}{where}";
    }
}
