variable "name" {
  description = "IAM role name."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>)."
  type        = string
}

variable "namespace" {
  type = string
}

variable "service_accounts" {
  description = "Kubernetes service accounts (in namespace) that may assume the role; nothing else can."
  type        = list(string)
}

variable "policy_json" {
  description = "The role's own permissions, as an IAM policy document (null: managed policies only)."
  type        = string
  default     = null
}

variable "managed_policy_arns" {
  description = "AWS-managed policies to attach as well (e.g. the EBS CSI driver's)."
  type        = list(string)
  default     = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
