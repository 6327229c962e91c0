variable "cluster_name" {
  type = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string
  default     = "1.33"
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  description = "Subnets for the control plane's network interfaces and every node (no public IPs)."
  type        = list(string)
}

variable "api_public_cidrs" {
  description = "Networks allowed to reach the Kubernetes API from the internet; empty keeps the endpoint private (reach it through a VPN or bastion)."
  type        = list(string)
  default     = []
  validation {
    condition     = !contains(var.api_public_cidrs, "0.0.0.0/0")
    error_message = "The Kubernetes API must not be open to the whole internet."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles/users given cluster-admin through EKS access entries (besides the creator)."
  type        = list(string)
  default     = []
}

variable "system_node_group" {
  description = "On-Demand nodes for the API, migrations, KEDA, the autoscaler and the observability stack."
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gb   = number
  })
}

variable "gpu_node_groups" {
  description = "One Spot managed node group per GPU class (the worker Deployments select it by the label pingvas.io/gpu-class). Every group scales from and to zero."
  type = map(object({
    instance_types = list(string)
    max_size       = number
    disk_size_gb   = number
  }))
}

variable "gpu_ami_type" {
  description = "EKS-optimised AMI with the NVIDIA driver and container toolkit."
  type        = string
  default     = "AL2023_x86_64_NVIDIA"
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
