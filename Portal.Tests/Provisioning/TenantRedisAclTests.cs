using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Provisioning;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Provisioning;

/// <summary>
/// What a tenant's Redis user may do, tried against the run's real Redis as that user (created by
/// <see cref="TenantRedis"/>): its own keys and channels work; other tenants' names, server-wide commands and the
/// server's configuration are refused.
/// </summary>
public sealed class TenantRedisAclTests(TestServers servers) : IAsyncLifetime
{
    private const string Region = "acl-test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _user = $"app-acl-{Guid.NewGuid():N}";
    private readonly string _prefix = $"app:acl{Guid.NewGuid():N}:";
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private readonly string _otherPrefix = $"app:other{Guid.NewGuid():N}:";
    private TenantRedis _redis = default!;
    private ConnectionMultiplexer _admin = default!;

    public async ValueTask InitializeAsync()
    {
        _redis = new TenantRedis(Options.Create(new ProvisioningOptions
        {
            Regions = { [Region] = new ProvisioningRegionOptions { RedisAdmin = servers.Redis.ConnectionString } },
        }));
        _admin = await ConnectionMultiplexer.ConnectAsync(servers.Redis.ConnectionString + ",allowAdmin=true");
        await _redis.EnsureUserAsync(Region, _user, _prefix, _password, Ct);
        await _admin.GetDatabase().StringSetAsync(_otherPrefix + "secret", "theirs");
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DeleteUserAsync(Region, _user, CancellationToken.None);
        await _admin.GetDatabase().KeyDeleteAsync(_otherPrefix + "secret");
        await _admin.DisposeAsync();
        _redis.Dispose();
    }

    private Task<Resp> TenantAsync() => Resp.ConnectAsync(servers.Redis.Port, _user, _password);

    [Fact]
    public async Task WhatAnAuthSomeServerNeeds_WorksOnItsOwnKeysAndChannels()
    {
        await using var tenant = await TenantAsync();
        var k = _prefix;

        Assert.Equal("PONG", await tenant.OkAsync("PING"));
        Assert.Equal("OK", await tenant.OkAsync("CLIENT", "SETNAME", "authsome"));
        Assert.Equal("OK", await tenant.OkAsync("SET", k + "s", "1", "EX", "60"));
        Assert.Equal("1", await tenant.OkAsync("GET", k + "s"));
        Assert.Equal("2", await tenant.OkAsync("INCR", k + "s"));
        Assert.Equal("1", await tenant.OkAsync("EXPIRE", k + "s", "30"));
        Assert.Equal("1", await tenant.OkAsync("HSET", k + "h", "f", "v"));
        Assert.Equal("1", await tenant.OkAsync("ZADD", k + "z", "1", "m"));
        Assert.Equal("1", await tenant.OkAsync("SADD", k + "set", "m"));
        Assert.Equal("1", await tenant.OkAsync("RPUSH", k + "l", "m"));
        Assert.Equal("1", await tenant.OkAsync("PFADD", k + "hll", "m"));
        await tenant.OkAsync("XADD", k + "x", "*", "f", "v");
        Assert.Equal("1", await tenant.OkAsync("EVAL", "return redis.call('INCR', KEYS[1])", "1", k + "s2"));
        var sha = await tenant.OkAsync("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])");
        Assert.NotNull(sha);
        Assert.Equal("2", await tenant.OkAsync("EVALSHA", sha, "1", k + "s"));
        Assert.Equal("OK", await tenant.OkAsync("WATCH", k + "s"));
        Assert.Equal("OK", await tenant.OkAsync("MULTI"));
        Assert.Equal("QUEUED", await tenant.OkAsync("INCR", k + "s"));
        await tenant.OkAsync("EXEC");
        Assert.Equal("0", await tenant.OkAsync("PUBLISH", k + "events", "hello"));
        Assert.Equal("subscribe", await tenant.OkAsync("SUBSCRIBE", k + "events"));
        Assert.Equal("unsubscribe", await tenant.OkAsync("UNSUBSCRIBE", k + "events"));
        Assert.Equal("4", await tenant.OkAsync("DEL", k + "s", k + "h", k + "z", k + "set"));
        Assert.Equal("4", await tenant.OkAsync("UNLINK", k + "l", k + "hll", k + "x", k + "s2"));
    }

    [Theory]
    [InlineData("SCAN", "0")]
    [InlineData("SCAN", "0", "MATCH", "app:*")]
    [InlineData("KEYS", "*")]
    [InlineData("RANDOMKEY")]
    [InlineData("DBSIZE")]
    [InlineData("INFO", "keyspace")]
    [InlineData("SCRIPT", "FLUSH")]
    [InlineData("SCRIPT", "KILL")]
    [InlineData("FUNCTION", "FLUSH")]
    [InlineData("FUNCTION", "DELETE", "mylib")]
    [InlineData("FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('f', function() return 1 end)")]
    [InlineData("FUNCTION", "LIST")]
    [InlineData("FCALL", "f", "0")]
    [InlineData("FLUSHALL")]
    [InlineData("FLUSHDB")]
    [InlineData("CONFIG", "GET", "*")]
    [InlineData("CONFIG", "SET", "maxmemory", "1")]
    [InlineData("CLIENT", "LIST")]
    [InlineData("CLIENT", "KILL", "TYPE", "normal")]
    [InlineData("CLIENT", "PAUSE", "1000")]
    [InlineData("DEBUG", "SLEEP", "0")]
    [InlineData("ACL", "LIST")]
    [InlineData("SELECT", "1")]
    [InlineData("SWAPDB", "0", "1")]
    [InlineData("PUBSUB", "CHANNELS")]
    [InlineData("SLOWLOG", "GET")]
    [InlineData("MONITOR")]
    [InlineData("PUBLISH", "portal:changes", "x")]
    [InlineData("SUBSCRIBE", "portal:changes")]
    [InlineData("PSUBSCRIBE", "*")]
    [InlineData("SORT", "app:x", "BY", "app:*")]
    [InlineData("MIGRATE", "127.0.0.1", "1", "", "0", "1000", "KEYS", "app:x")]
    public async Task ServerWideCommandsAndOtherNames_AreRefused(params string[] command)
    {
        await using var tenant = await TenantAsync();

        var error = await tenant.ErrorAsync(command);

        // DEBUG is refused to every user but local ones unless enable-debug-command is set; for the others the ACL answers.
        Assert.True(error.StartsWith("NOPERM", StringComparison.Ordinal) || (command[0] == "DEBUG" && error.StartsWith("ERR DEBUG command not allowed", StringComparison.Ordinal)), error);
    }

    [Fact]
    public async Task AnotherTenantsKeys_AreRefused_EvenThroughAScript()
    {
        await using var tenant = await TenantAsync();
        var theirs = _otherPrefix + "secret";

        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("GET", theirs), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("SET", theirs, "mine"), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("DEL", theirs), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("COPY", theirs, _prefix + "copy"), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("RENAME", _prefix + "x", theirs), StringComparison.Ordinal);
        Assert.StartsWith("NOPERM", await tenant.ErrorAsync("EVAL", "return redis.call('GET', KEYS[1])", "1", theirs), StringComparison.Ordinal);
        // A key not declared as a script key is still checked when the script touches it.
        Assert.Contains("can't access", await tenant.ErrorAsync("EVAL", $"return redis.call('GET', '{theirs}')", "0"), StringComparison.Ordinal);
        Assert.Equal("theirs", (string?)await _admin.GetDatabase().StringGetAsync(theirs));
    }

    /// <summary>A RESP connection of its own (no client library handshake), one command at a time.</summary>
    private sealed class Resp(TcpClient client, NetworkStream stream) : IAsyncDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public static async Task<Resp> ConnectAsync(int port, string user, string password)
        {
            var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, Ct);
            var resp = new Resp(client, client.GetStream());
            Assert.Equal("OK", await resp.OkAsync("AUTH", user, password));
            return resp;
        }

        /// <summary>Sends the command; returns the first scalar of the reply (an array's first element), failing on an error.</summary>
        public async Task<string?> OkAsync(params string[] command)
        {
            var (error, value) = await SendAsync(command);
            Assert.True(error is null, $"{string.Join(' ', command)}: {error}");
            return value;
        }

        public async Task<string> ErrorAsync(params string[] command)
        {
            var (error, value) = await SendAsync(command);
            Assert.True(error is not null, $"{string.Join(' ', command)} was accepted ({value})");
            return error!;
        }

        private async Task<(string? Error, string? Value)> SendAsync(string[] command)
        {
            var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
            foreach (var part in command)
            {
                request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), Ct);
            return await ReadAsync();
        }

        private async Task<(string? Error, string? Value)> ReadAsync()
        {
            var line = await _reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct) ?? throw new EndOfStreamException();
            var rest = line[1..];
            switch (line[0])
            {
                case '-':
                    return (rest, null);
                case '+' or ':':
                    return (null, rest);
                case '$':
                    var length = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return (null, null);
                    }

                    var buffer = new char[length];
                    await _reader.ReadBlockAsync(buffer, Ct);
                    await _reader.ReadLineAsync(Ct);
                    return (null, new string(buffer));
                case '*':
                    var count = int.Parse(rest, CultureInfo.InvariantCulture);
                    (string? Error, string? Value) first = (null, null);
                    for (var i = 0; i < count; i++)
                    {
                        var element = await ReadAsync();
                        if (i == 0)
                        {
                            first = element;
                        }
                    }

                    return first;
                default:
                    throw new InvalidDataException(line);
            }
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
