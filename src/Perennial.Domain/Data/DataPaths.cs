namespace Perennial.Data;

/// <summary>The installation's local data folder (SQLite file, stored evidence content).</summary>
public sealed record DataPaths(string Root);
