using Portal.Hosting;

if (await PortalCommands.TryRunStandaloneCommandAsync(args) is { } standaloneExitCode)
{
    return standaloneExitCode;
}

var builder = WebApplication.CreateBuilder(PortalCommands.HostArguments(args));
builder.AddPortal();
var app = builder.Build();
app.UsePortal();
return await PortalCommands.RunAsync(app, args);

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
