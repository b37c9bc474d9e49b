using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Members;
using Portal.Core.Workspaces;

namespace Portal.Core.Admin;

/// <summary>The platform-wide lists of the admin area (behind <see cref="PlatformAdminPolicy"/>), newest first, paged on the server.</summary>
public sealed class AdminQueries(IDbContextFactory<PortalDbContext> dbFactory, IOptionsMonitor<PlatformAdminOptions> admins)
{
    /// <summary>Workspaces whose id is <paramref name="search"/> or whose name or slug contains it, of any status or of <paramref name="status"/>.</summary>
    public async Task<Page<AdminWorkspaceRow>> ListWorkspacesAsync(
        string? search, WorkspaceStatus? status, int page = 1, int pageSize = 25, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspaces = db.Set<Workspace>().AsNoTracking();
        if (search?.Trim() is { Length: > 0 } term)
        {
            var pattern = LikePattern.Containing(term);
            workspaces = workspaces.Where(w => w.Id == term || EF.Functions.ILike(w.Name, pattern, LikePattern.EscapeCharacter) || EF.Functions.ILike(w.Slug, pattern, LikePattern.EscapeCharacter));
        }

        if (status is { } wanted)
        {
            workspaces = workspaces.Where(w => w.Status == wanted);
        }

        var total = await workspaces.CountAsync(cancellationToken);
        var data = await workspaces
            .OrderByDescending(w => w.CreatedAt).ThenBy(w => w.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(w => new AdminWorkspaceRow(w.Id, w.Name, w.Slug, w.Plan, w.Status,
                db.Set<Member>().Count(m => m.WorkspaceId == w.Id), w.CreatedAt, w.SuspendedAt, w.SuspensionReason))
            .ToListAsync(cancellationToken);
        return new Page<AdminWorkspaceRow>(data, total, page, pageSize);
    }

    /// <summary>Accounts whose id is <paramref name="search"/> or whose email or display name contains it.</summary>
    public async Task<Page<AdminUserRow>> ListUsersAsync(string? search, int page = 1, int pageSize = 25, CancellationToken cancellationToken = default)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (search?.Trim() is { Length: > 0 } term)
        {
            var pattern = LikePattern.Containing(term);
            users = users.Where(u => u.Id == term
                || (u.Email != null && EF.Functions.ILike(u.Email, pattern, LikePattern.EscapeCharacter))
                || (u.DisplayName != null && EF.Functions.ILike(u.DisplayName, pattern, LikePattern.EscapeCharacter)));
        }

        var total = await users.CountAsync(cancellationToken);
        var data = await users
            .OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(u => new AdminUserRow(u.Id, u.Email ?? "", u.DisplayName, u.EmailConfirmed, u.TwoFactorEnabled, u.IsPlatformAdmin,
                u.SuspendedAt, u.SuspensionReason, u.CreatedAt, db.Set<Member>().Count(m => m.UserId == u.Id)))
            .ToListAsync(cancellationToken);

        // Administrators named in configuration count too, as they do for the policy.
        var configured = admins.CurrentValue;
        data = [.. data.Select(row => row.IsPlatformAdmin || !row.EmailConfirmed ? row : row with
        {
            IsPlatformAdmin = configured.PlatformAdmins.Any(a => string.Equals(a.Trim(), row.Email, StringComparison.OrdinalIgnoreCase)),
        })];
        return new Page<AdminUserRow>(data, total, page, pageSize);
    }

    private static (int Page, int PageSize) Clamp(int page, int pageSize) =>
        (Math.Max(1, page), Math.Clamp(pageSize, 1, Page<AdminUserRow>.MaxPageSize));
}
