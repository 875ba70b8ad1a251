namespace Perennial.Common;

public enum UseCaseErrorKind
{
    Validation,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>
/// A use case refused the request. The host turns it into a ProblemDetails response (API) or a
/// form error (pages) naming <see cref="Field"/>.
/// </summary>
public sealed class UseCaseException : Exception
{
    public UseCaseException(UseCaseErrorKind kind, string? field, string message)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    public UseCaseException()
    {
    }

    public UseCaseException(string message)
        : base(message)
    {
    }

    public UseCaseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UseCaseErrorKind Kind { get; }
    public string? Field { get; }

    public static UseCaseException Invalid(string field, string message) => new(UseCaseErrorKind.Validation, field, message);
    public static UseCaseException NotFound(string message) => new(UseCaseErrorKind.NotFound, null, message);
    public static UseCaseException Conflict(string field, string message) => new(UseCaseErrorKind.Conflict, field, message);
    public static UseCaseException Forbidden(string message) => new(UseCaseErrorKind.Forbidden, null, message);
}
