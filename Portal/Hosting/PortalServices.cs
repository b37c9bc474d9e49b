using Microsoft.AspNetCore.HttpOverrides;
using MudBlazor.Services;
using Portal.Core;
using Portal.Features.Accounts;
using Portal.Features.Applications;
using Portal.Features.Operations;
using Portal.Features.Proxy;
using Portal.Features.Workspaces;
using Portal.Jobs;

namespace Portal.Hosting;

public static class PortalServices
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        var options = PortalOptions.Read(builder.Configuration);
        var services = builder.Services;
        services.AddSingleton(options);

        services.AddPortalCore(builder.Configuration);
        builder.AddKubernetesClusters();
        services.AddPortalJobs(builder.Configuration, runWorker: options.Runs(PortalOptions.WorkerRole));
        services.AddOperations();
        services.AddAccountsWeb();
        services.AddWorkspacesWeb();
        Features.ControlApi.ControlApiServiceCollectionExtensions.AddControlApi(services, builder.Configuration);

        if (options.TrustForwardedHeaders)
        {
            services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // The ingress is the only way in, so its addresses need not be listed.
                forwarded.KnownIPNetworks.Clear();
                forwarded.KnownProxies.Clear();
            });
        }

        if (options.Runs(PortalOptions.ProxyRole))
        {
            services.AddProxyHost(builder.Configuration);
        }

        if (options.Runs(PortalOptions.WebRole))
        {
            services.AddRazorComponents().AddInteractiveServerComponents();
            services.AddCascadingAuthenticationState();
            services.AddMudServices();
            services.AddApplicationsWeb();
        }

        return builder;
    }
}
