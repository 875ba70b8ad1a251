using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Perennial.Frameworks.Oscal;

/// <summary>JSON paths as <c>$.catalog.groups[3].controls[7].id</c>, and where they are in a file.</summary>
public static class JsonLocation
{
    public const string Root = "$";

    public static string Property(string parent, string name) =>
        name.Length > 0 && name.All(IsPlainNameChar)
            ? $"{parent}.{name}"
            : $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    public static string Index(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static bool IsPlainNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '$' or ':' or '@';

    /// <summary>
    /// The line and column (1-based; the column counts bytes) where the value at <paramref name="path"/>
    /// starts, or, when that value is missing, where its nearest existing parent starts.
    /// </summary>
    public static (int Line, int Column)? Find(ReadOnlySpan<byte> json, string path)
    {
        var target = Parse(path);
        if (target is null)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new Stack<Frame>();
        string? pendingName = null;
        var bestDepth = -1;
        long bestOffset = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    pendingName = reader.GetString();
                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    frames.Pop();
                    continue;
                }

                // A value: is it on the way to the target?
                var depth = frames.Count;
                bool onTarget;
                if (depth == 0)
                {
                    onTarget = true;
                }
                else
                {
                    var parent = frames.Peek();
                    object segment = parent.IsArray ? parent.NextIndex++ : pendingName ?? "";
                    // Only containers on the way are entered (others are skipped), so the parent is on it.
                    onTarget = depth <= target.Count && Equals(segment, target[depth - 1]);
                }

                if (onTarget && depth > bestDepth)
                {
                    bestDepth = depth;
                    bestOffset = reader.TokenStartIndex;
                    if (depth == target.Count)
                    {
                        break;
                    }
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (onTarget)
                    {
                        frames.Push(new Frame(reader.TokenType == JsonTokenType.StartArray));
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The part read so far still locates what it can.
        }

        return bestDepth < 0 ? null : LineAndColumn(json, bestOffset);
    }

    public static (int Line, int Column) LineAndColumn(ReadOnlySpan<byte> text, long offset)
    {
        var before = text[..(int)Math.Min(offset, text.Length)];
        var line = before.Count((byte)'\n') + 1;
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (line, before.Length - lastNewline);
    }

    /// <summary>Reads a path written by <see cref="Property"/> and <see cref="Index"/> back into its steps.</summary>
    internal static List<object>? Parse(string path)
    {
        if (!path.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var steps = new List<object>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                steps.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var name = new StringBuilder();
                var j = i + 2;
                while (j < path.Length && path[j] != '\'')
                {
                    if (path[j] == '\\' && j + 1 < path.Length)
                    {
                        j++;
                    }

                    name.Append(path[j]);
                    j++;
                }

                steps.Add(name.ToString());
                i = j + 2;
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0 || !int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return null;
                }

                steps.Add(index);
                i = close + 1;
            }
            else
            {
                return null;
            }
        }

        return steps;
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int NextIndex { get; set; }
    }
}
