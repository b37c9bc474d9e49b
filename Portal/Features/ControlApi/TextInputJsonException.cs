using System.Text.Json;
using Portal.Core;

namespace Portal.Features.ControlApi;

/// <summary>A body string refused by <see cref="TextInputConverter"/>; the serializer adds the path of the field.</summary>
internal sealed class TextInputJsonException() : JsonException(TextRules.ControlCharacterMessage);
