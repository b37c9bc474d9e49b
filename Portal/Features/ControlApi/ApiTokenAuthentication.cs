namespace Portal.Features.ControlApi;

/// <summary>The bearer-token scheme of the control API and the claims it puts on the principal.</summary>
public static class ApiTokenAuthentication
{
    public const string Scheme = "ControlApiBearer";
    public const string TokenIdClaim = "token_id";
    public const string TokenKindClaim = "token_kind";
    public const string TokenNameClaim = "token_name";
    public const string ScopeClaim = "scope";
}
