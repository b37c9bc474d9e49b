using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Accounts;

/// <summary>Refuses common and guessable passwords (no composition rules: length and unpredictability only).</summary>
public sealed class ZxcvbnPasswordValidator : IPasswordValidator<PortalUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password)
    {
        if (password is null || password.Length < PasswordStrength.MinimumLength)
        {
            // Identity's own length rule reports this case.
            return Task.FromResult(IdentityResult.Success);
        }

        var strength = PasswordStrength.Evaluate(password, user.Email, user.UserName, user.DisplayName);
        if (strength.IsAcceptable)
        {
            return Task.FromResult(IdentityResult.Success);
        }

        return Task.FromResult(IdentityResult.Failed(new IdentityError
        {
            Code = "PasswordTooGuessable",
            Description = $"This password is too common or too easy to guess. {strength.Feedback}",
        }));
    }
}
