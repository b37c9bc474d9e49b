using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Core.ApiTokens;

namespace Portal.Features.ControlApi;

/// <summary>Authenticates <c>Authorization: Bearer asl_…/asp_…</c>; refusals answer in the API's error envelope.</summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AuthenticateApiToken tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header is not a bearer token.");
        }

        var (identity, throttled) = await tokens.ExecuteAsync(header["Bearer ".Length..].Trim(), Context.Connection.RemoteIpAddress, Context.RequestAborted);
        if (throttled is { } wait)
        {
            Context.Features.Set(new ThrottledAuthentication(wait.RetryAfterSeconds));
            return AuthenticateResult.Fail("Too many unknown tokens from this address.");
        }

        if (identity is null)
        {
            return AuthenticateResult.Fail("The token is not valid: unknown, revoked or expired.");
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, identity.UserId),
            new(ApiTokenAuthentication.TokenIdClaim, identity.TokenId),
            new(ApiTokenAuthentication.TokenKindClaim, identity.Kind.ToString()),
            new(ApiTokenAuthentication.TokenNameClaim, identity.TokenName),
            .. ApiScopeNames.Each.Where(s => identity.Scopes.HasFlag(s)).Select(s => new Claim(ApiTokenAuthentication.ScopeClaim, ApiScopeNames.Name(s))),
        ];
        if (identity.Email is not null)
        {
            claims.Add(new Claim(ClaimTypes.Email, identity.Email));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiTokenAuthentication.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiTokenAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Features.Get<ThrottledAuthentication>() is { } throttled)
        {
            // No lookup was made: the address tried too many unknown tokens this minute.
            var seconds = (int)Math.Min(throttled.RetryAfterSeconds, int.MaxValue);
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await new ApiError(StatusCodes.Status429TooManyRequests, ApiError.RateLimitExceeded,
                $"Too many unknown tokens from this address: wait {seconds} seconds before the next attempt.", null, seconds).ExecuteAsync(Context);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        var message = result.Failure?.Message ?? "Send a bearer token in the Authorization header: log in at /control/v1/auth/login or make a personal access token.";
        await new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized, message).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiError.ForbiddenError("You may not do this.").ExecuteAsync(Context);
}
