using System.Security.Cryptography;
using System.Text;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;

namespace Portal.Tests.Proxy;

/// <summary>The hot path's managed SHA-256 and key hash agree with the platform's SHA-256 (what the database stores).</summary>
public sealed class KeyHashTests
{
    [Fact]
    public void Sha256_MatchesThePlatform_ForEveryLengthUpToAFewBlocks()
    {
        var random = new Random(20261129);
        Span<byte> ours = stackalloc byte[32];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Sha256.Hash(data, ours);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(ours));
        }
    }

    [Fact]
    public void Sha256_KnownAnswers()
    {
        Span<byte> hash = stackalloc byte[32];
        Sha256.Hash([], hash);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(hash));
        Sha256.Hash("abc"u8, hash);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void KeyHash_IsTheStoredHash_AndComparesByValue()
    {
        var key = ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);
        var hash = KeyHash.Of(key);

        Assert.Equal(ApiKeyFormat.Hash(key), hash.ToArray());
        Assert.Equal(Convert.ToHexStringLower(ApiKeyFormat.Hash(key)), hash.ToHex());
        Assert.Equal(hash, new KeyHash(ApiKeyFormat.Hash(key)));
        Assert.NotEqual(hash, KeyHash.Of(key[..^1] + (key[^1] == 'a' ? 'b' : 'a')));
        Assert.Equal(new KeyHash(SHA256.HashData(Encoding.UTF8.GetBytes("é€𝄞"))), KeyHash.Of("é€𝄞"));
    }
}
