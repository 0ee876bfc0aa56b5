//go:build !lean

package main

import "github.com/spf13/cobra"

func newRecordCmd() *cobra.Command { return recordCmd() }
