using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Accounts;

namespace Portal.Features.Accounts;

public static class AccountsEndpoints
{
    public sealed record PasswordStrengthRequest(string? Password, string? Email);

    public sealed record PasswordStrengthResponse(int Score, bool Acceptable, string Feedback);

    public static IEndpointRouteBuilder MapAccountsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/Account");

        account.MapPost("/Logout", async (SignInManager<PortalUser> signInManager, [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "~/");
        });

        // The strength meter of the password forms; the same estimator refuses weak passwords on submit.
        account.MapPost("/PasswordStrength", Results<Ok<PasswordStrengthResponse>, BadRequest<string>> ([FromBody] PasswordStrengthRequest request) =>
            {
                if (request.Password is null || request.Password.Length > PasswordStrength.MaximumLength)
                {
                    return TypedResults.BadRequest($"Send a password of at most {PasswordStrength.MaximumLength} characters.");
                }

                var strength = PasswordStrength.Evaluate(request.Password, request.Email);
                return TypedResults.Ok(new PasswordStrengthResponse(strength.Score, strength.IsAcceptable, strength.Feedback));
            })
            .RequireRateLimiting(AccountsWebServiceCollectionExtensions.PasswordStrengthRateLimit);

        return endpoints;
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
