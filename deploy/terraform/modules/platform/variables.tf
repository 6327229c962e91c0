variable "environment" {
  description = "dev or prod."
  type        = string
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "name" {
  description = "Prefix for AWS resource names, e.g. pingvas-prod."
  type        = string
}

# --- network ---
variable "vpc_cidr" {
  type = string
}

variable "az_count" {
  type = number
}

variable "single_nat_gateway" {
  type = bool
}

variable "interface_endpoints" {
  type    = list(string)
  default = []
}

# --- EKS ---
variable "kubernetes_version" {
  type = string
}

variable "api_public_cidrs" {
  type    = list(string)
  default = []
}

variable "admin_principal_arns" {
  type    = list(string)
  default = []
}

variable "system_node_group" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gb   = number
  })
}

variable "gpu_node_groups" {
  type = map(object({
    instance_types = list(string)
    max_size       = number
    disk_size_gb   = number
  }))
}

# --- RDS ---
variable "db_instance_class" {
  type = string
}

variable "db_allocated_storage_gb" {
  type = number
}

variable "db_max_allocated_storage_gb" {
  type = number
}

variable "db_multi_az" {
  type = bool
}

variable "db_deletion_protection" {
  type = bool
}

variable "db_backup_retention_days" {
  type = number
}

variable "db_max_connections" {
  type    = number
  default = 400
}

# --- S3 + CloudFront ---
variable "bucket_name" {
  type = string
}

variable "bucket_force_destroy" {
  type    = bool
  default = false
}

variable "cloudfront_public_key_pem" {
  type = string
}

variable "cloudfront_aliases" {
  type    = list(string)
  default = []
}

variable "cloudfront_certificate_arn" {
  type    = string
  default = null
}

# --- Kubernetes identities (must match the manifests in deploy/kubernetes) ---
variable "app_namespace" {
  description = "Namespace of the Pingvas Deployments."
  type        = string
  default     = "pingvas"
}

variable "server_service_accounts" {
  description = "Service accounts of the API and worker pods: they assume the server's S3 role."
  type        = list(string)
  default     = ["pingvas-api", "pingvas-worker"]
}

variable "eso_namespace" {
  description = "Namespace of the External Secrets Operator (ESO), which reads Secrets Manager."
  type        = string
  default     = "external-secrets"
}

variable "eso_service_account" {
  description = "The External Secrets Operator's service account."
  type        = string
  default     = "external-secrets"
}

variable "secret_recovery_window_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
