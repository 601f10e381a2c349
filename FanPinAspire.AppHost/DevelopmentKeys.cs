namespace FanPin.AppHost;

/// <summary>
/// Keys for local runs only (published in this repository on purpose). Deployments take theirs from the
/// <c>fanpin-secrets</c> Secret; services refuse to start outside Development without them.
/// </summary>
public static class DevelopmentKeys
{
    /// <summary>AES-256-GCM key for ID numbers at rest (base64 of 32 bytes).</summary>
    public const string IdNumberEncryption = "oenksLDTDxUbHHQlLKmMNOLJ+1SWdV+RMnO0P7RqZwM=";

    /// <summary>HMAC-SHA256 key of the ID-number lookup hash, shared by registry and monitoring (base64 of 32 bytes).</summary>
    public const string IdNumberHash = "/5JtEpPhGasJg/hNSQaHbftL876oDOTgIvOuw3RF3Lk=";

    /// <summary>AES-256-GCM key of notification's stored secrets (webhook signing secrets, SMS gateway credentials).</summary>
    public const string NotificationSecrets = "ZmFucGluLWRldmVsb3BtZW50LW5vdGlmaWNhdGlvbiE=";
}
