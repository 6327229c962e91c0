variable "bucket_name" {
  description = "Globally unique name of the object bucket (Storage__S3__Bucket)."
  type        = string
  validation {
    # No dots: the name is reused for KMS aliases and CloudFront names, which refuse them.
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name: 3-63 lowercase letters, digits and hyphens."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy a bucket that still holds objects (dev only)."
  type        = bool
  default     = false
}

variable "transition_days" {
  description = "Age at which current objects move to the cheaper storage class."
  type        = number
  default     = 90
}

variable "transition_storage_class" {
  description = "INTELLIGENT_TIERING (no retrieval fee; moves cold objects further down by itself) or STANDARD_IA."
  type        = string
  default     = "INTELLIGENT_TIERING"
  validation {
    condition     = contains(["INTELLIGENT_TIERING", "STANDARD_IA"], var.transition_storage_class)
    error_message = "transition_storage_class must be INTELLIGENT_TIERING or STANDARD_IA."
  }
}

variable "noncurrent_expiration_days" {
  description = "Overwritten or deleted versions are kept this long (undo window), then removed for good (account deletion completes within it)."
  type        = number
  default     = 30
}

variable "cloudfront_public_key_pem" {
  description = "PEM public key of the CloudFront signing key pair. Only the public half belongs here; the private key lives in Secrets Manager, set out of band."
  type        = string
  validation {
    condition     = can(regex("^-----BEGIN PUBLIC KEY-----", trimspace(var.cloudfront_public_key_pem))) && !can(regex("PRIVATE KEY", var.cloudfront_public_key_pem))
    error_message = "cloudfront_public_key_pem must be a PEM public key (never a private key)."
  }
}

variable "cloudfront_aliases" {
  description = "Custom domain names for the CDN, e.g. [\"cdn.example.com\"]; empty uses the *.cloudfront.net name."
  type        = list(string)
  default     = []
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate in us-east-1 covering cloudfront_aliases (required when aliases are set)."
  type        = string
  default     = null
}

variable "cloudfront_price_class" {
  type    = string
  default = "PriceClass_100"
}

variable "tags" {
  type    = map(string)
  default = {}
}
