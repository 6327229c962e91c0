variable "aws_account_id" {
  description = "The AWS account this environment lives in (the provider refuses any other)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id is 12 digits."
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "bucket_name" {
  description = "Globally unique name of the object bucket."
  type        = string
}

variable "cloudfront_public_key_pem" {
  description = "Public half of the CloudFront signing key pair (PEM). The private half goes to Secrets Manager out of band."
  type        = string
}

variable "cloudfront_aliases" {
  type    = list(string)
  default = []
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate (us-east-1) for cloudfront_aliases."
  type        = string
  default     = null
}

variable "api_public_cidrs" {
  description = "Operator networks that may reach the Kubernetes API endpoint; empty keeps it private."
  type        = list(string)
  default     = []
}

variable "admin_principal_arns" {
  description = "IAM roles given cluster-admin on EKS."
  type        = list(string)
  default     = []
}
