using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Portal.Core.Accounts;

/// <summary>
/// Identity's store with its user tokens (the authenticator key and the recovery codes) encrypted at rest
/// with Data Protection, whose keys live in the database.
/// </summary>
public sealed class PortalUserStore(PortalDbContext context, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserStore<PortalUser>(context, describer)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Portal.Accounts.UserTokens.v1");

    public override Task SetTokenAsync(PortalUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name, value is null ? null : _protector.Protect(value), cancellationToken);

    public override async Task<string?> GetTokenAsync(PortalUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var stored = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return stored is null ? null : _protector.Unprotect(stored);
    }
}
