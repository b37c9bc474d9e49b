using System.Diagnostics;
using System.Net.Sockets;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// A real redis-server on a free port; it can be stopped and started again on the same port. A persistent one keeps
/// its data across a stop (every write appended and synced, as a production Redis with <c>appendonly yes</c>).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string? _directory;
    private Process? _process;

    public RedisServer()
    {
    }

    private RedisServer(string directory) => _directory = directory;

    /// <summary>One that keeps its data when stopped and started again.</summary>
    public static RedisServer Persistent() => new(Directory.CreateTempSubdirectory("redis-").FullName);

    public int Port { get; } = Processes.FreePort();

    public string ConnectionString => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public ValueTask InitializeAsync() => new(StartAsync());

    public async Task StartAsync()
    {
        var redis = Processes.FindExecutable("redis-server", "/usr/bin", "/usr/local/bin");
        string[] persistence = _directory is null ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "always", "--dir", _directory];
        _process = Process.Start(Processes.StartInfo(redis, ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--save", "", .. persistence]))!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
