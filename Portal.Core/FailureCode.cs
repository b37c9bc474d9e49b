namespace Portal.Core;

/// <summary>The error codes of the control API's envelope that a use case can answer with.</summary>
public enum FailureCode
{
    InvalidRequest,
    Forbidden,
    NotFound,
    Conflict,
}
