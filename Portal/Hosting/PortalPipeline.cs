using Portal.Components;
using Portal.Features.Accounts;
using Portal.Features.Admin;
using Portal.Features.Audit;
using Portal.Features.ControlApi;
using Portal.Features.Notifications;
using Portal.Features.Operations;
using Portal.Features.Proxy;

namespace Portal.Hosting;

public static class PortalPipeline
{
    public static WebApplication UsePortal(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<PortalOptions>();
        var https = options.RequireHttps && !app.Environment.IsDevelopment();

        // Client address and scheme from the trusted ingress only (Portal:ForwardedHeaders); before the proxy's
        // branch too, whose IP allowlist reads the same address.
        if (options.ForwardedHeaders.Enabled)
        {
            app.UseForwardedHeaders();
        }

        if (options.Runs(PortalOptions.ProxyRole))
        {
            // The proxy's lean terminal branch: none of the portal's middleware below runs for /v1.
            var proxy = app.Services.GetRequiredService<ProxyRequestHandler>();
            app.MapWhen(context => ProxyRequestHandler.IsProxyPath(context.Request.Path), branch => branch.Run(proxy.InvokeAsync));
        }

        app.UsePublicHostFiltering();
        app.UseCookiePolicy();

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        if (https)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapHealthEndpoints();

        if (options.Runs(PortalOptions.WebRole))
        {
            app.MapStaticAssets();
            // Our own CSP already says frame-ancestors 'none'; Blazor would add a second, laxer header.
            app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null);
            app.MapAccountsEndpoints();
            app.MapJobsDashboard();
            app.MapAuditEndpoints();
            app.MapControlApiEndpoints();
            if (app.Environment.IsDevelopment())
            {
                app.MapDevMailEndpoints();
            }
        }

        return app;
    }
}
