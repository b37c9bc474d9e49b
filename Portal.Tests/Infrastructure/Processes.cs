using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Infrastructure;

/// <summary>Runs the installed server binaries the fixtures need.</summary>
internal static class Processes
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task RunAsync(string fileName, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(fileName, arguments)) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    public static ProcessStartInfo StartInfo(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>PostgreSQL refuses to run as root: then its commands run as the 'postgres' user of the Debian package.</summary>
    public static Task RunAsPostgresAsync(string fileName, params string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", fileName, .. arguments]) : RunAsync(fileName, arguments);

    public static string FindExecutable(string name, params string[] extraDirectories)
    {
        var directories = extraDirectories.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'));
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{name}' is not installed: run ./dev.sh test, which installs it.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
