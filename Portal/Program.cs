using Portal.Hosting;

var builder = WebApplication.CreateBuilder(PortalCommands.HostArguments(args));
builder.AddPortal();
var app = builder.Build();
app.UsePortal();
return await PortalCommands.RunAsync(app, args);

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
