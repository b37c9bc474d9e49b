using Microsoft.AspNetCore.HttpOverrides;
using MudBlazor.Services;
using Portal.Core;
using Portal.Core.DataProtection;
using Portal.Core.Notifications;
using Portal.Features.Accounts;
using Portal.Features.Changes;
using Portal.Features.Operations;
using Portal.Features.Proxy;
using Portal.Features.Workspaces;
using Portal.Jobs;

namespace Portal.Hosting;

public static class PortalServices
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        var options = PortalOptions.Read(builder.Configuration, development);
        if (!development && !KeyRingEncryption.IsConfigured(builder.Configuration))
        {
            throw new InvalidOperationException(
                $"Missing setting '{KeyEncryptionKeys.CurrentSetting}' (a base64 256-bit key from a Kubernetes Secret, environment variable "
                + $"DataProtection__KeyEncryptionKey) or '{KeyRingEncryption.CertificatePathSetting}' (a PFX): outside Development the Data "
                + "Protection key ring in PostgreSQL must be encrypted.");
        }

        var services = builder.Services;
        services.AddSingleton(options);
        // The one source of emailed links: the public URL, never the request's Host.
        services.AddSingleton(new PortalLinks(options.PublicUrl));
        services.AddPublicHostFiltering(builder.Configuration, options);
        services.AddSecureCookies(development);

        services.AddPortalCore(builder.Configuration);
        builder.AddKubernetesClusters();
        services.AddPortalJobs(builder.Configuration, runWorker: options.Runs(PortalOptions.WorkerRole));
        services.AddOperations();
        services.AddAccountsWeb();
        services.AddWorkspacesWeb();
        Features.ControlApi.ControlApiServiceCollectionExtensions.AddControlApi(services, builder.Configuration);

        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured ingress may speak for the client (the framework's default trusts loopback).
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var network in options.ForwardedHeaders.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            foreach (var proxy in options.ForwardedHeaders.Proxies)
            {
                forwarded.KnownProxies.Add(proxy);
            }

            forwarded.ForwardLimit = options.ForwardedHeaders.ForwardLimit;
        });

        if (options.Runs(PortalOptions.ProxyRole))
        {
            services.AddProxyHost(builder.Configuration);
        }

        if (options.Runs(PortalOptions.WebRole))
        {
            services.AddRazorComponents().AddInteractiveServerComponents();
            services.AddCascadingAuthenticationState();
            services.AddMudServices();
            // The live updates of application, metrics and usage pages: one change-channel listener per topic per web process.
            services.AddSingleton<PageChangeSubscriber>();
        }

        return builder;
    }
}
