namespace Portal.Core;

/// <summary>Why a use case refused: a code the API maps to a status, a message for people, and the field at fault.</summary>
public sealed record Failure(FailureCode Code, string Message, string? Field = null)
{
    public static Failure Invalid(string field, string message) => new(FailureCode.InvalidRequest, message, field);

    public static Failure NotFound(string what) => new(FailureCode.NotFound, $"{what} was not found.");

    public static Failure Forbidden(string message) => new(FailureCode.Forbidden, message);

    public static Failure PlanLimit(string message) => new(FailureCode.PlanLimit, message);

    public static Failure Unavailable(string message) => new(FailureCode.Unavailable, message);

    public static Failure Conflict(string message, string? field = null) => new(FailureCode.Conflict, message, field);
}
