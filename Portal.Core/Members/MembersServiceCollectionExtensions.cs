using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Members;

public static class MembersServiceCollectionExtensions
{
    /// <summary>The use cases of members and invitations; the host provides the <see cref="IInvitationDelivery"/>.</summary>
    public static IServiceCollection AddMembers(this IServiceCollection services)
    {
        services.AddScoped<MemberEmails>();
        services.AddScoped<InviteMember>();
        services.AddScoped<SendInvitation>();
        services.AddScoped<AcceptInvitation>();
        services.AddScoped<ChangeMemberRole>();
        services.AddScoped<RemoveMember>();
        services.AddScoped<TransferOwnership>();
        services.AddScoped<MemberQueries>();
        return services;
    }
}
