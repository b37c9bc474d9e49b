using System.Buffers;

namespace Portal.Features.Proxy;

/// <summary>
/// The client's response body as the forwarder writes it: bytes pass straight through, are counted, and the first
/// <c>captureLimit</c> bytes are kept (in a pooled buffer) when asked, to read a user id from a sign-in answer.
/// </summary>
public sealed class ResponseTapStream(Stream inner, int captureLimit) : Stream
{
    private byte[]? _captured = captureLimit > 0 ? ArrayPool<byte>.Shared.Rent(captureLimit) : null;
    private int _capturedLength;

    public long BytesWritten { get; private set; }

    /// <summary>The body, when it was captured whole (no longer than the limit).</summary>
    public ReadOnlySpan<byte> Captured => _captured is not null && BytesWritten <= captureLimit ? _captured.AsSpan(0, _capturedLength) : [];

    public Stream Inner => inner;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    private void Observe(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        if (_captured is not null && _capturedLength < captureLimit)
        {
            var take = Math.Min(buffer.Length, captureLimit - _capturedLength);
            buffer[..take].CopyTo(_captured.AsSpan(_capturedLength));
            _capturedLength += take;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Observe(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Gives the capture buffer back to the pool (the inner stream belongs to the response).</summary>
    protected override void Dispose(bool disposing)
    {
        if (_captured is { } captured)
        {
            _captured = null;
            ArrayPool<byte>.Shared.Return(captured);
        }

        base.Dispose(disposing);
    }
}
