namespace FanPin.Registry.Domain;

/// <summary>The one registry type the linked <c>IdNumberProtector.cs</c> needs (same shape as src/FanPin.Registry/Domain/Member.cs).</summary>
public sealed record ProtectedIdNumber(byte[] Cipher, byte[] Hash, string Masked, DateOnly BirthDate, Sex Sex);
