using System.Security.Cryptography;
using System.Text;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;

namespace Portal.Tests.Proxy;

/// <summary>The hot path's key hash (a reused per-thread hasher) agrees with the one-shot SHA-256 the database stores.</summary>
public sealed class KeyHashTests
{
    [Fact]
    public void KeyHash_MatchesTheOneShotHash_ForEveryLengthUpToAFewBlocks_OnOneReusedHasher()
    {
        var random = new Random(20261129);
        for (var length = 0; length <= KeyHash.MaxKeyLength; length++)
        {
            var key = new string([.. Enumerable.Range(0, length).Select(_ => (char)random.Next('0', 'z' + 1))]);
            Assert.Equal(new KeyHash(SHA256.HashData(Encoding.UTF8.GetBytes(key))), KeyHash.Of(key));
        }
    }

    [Fact]
    public void KeyHash_KnownAnswers()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", KeyHash.Of("").ToHex());
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeyHash.Of("abc").ToHex());
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
